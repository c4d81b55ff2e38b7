"""Writes the generated WGSL kernels: matmul_lanes_w{W}.wgsl, conv2d_lanes_w{W}_m{rows}[_n{cols}].wgsl,
conv2d_window_w{W}_m{rows}_k{K}[_d{D}][_s{S}][_r{R}].wgsl and conv2d_filter_w{W}_m{rows}_k{K}[_s{S}].wgsl
for every subgroup width W and tile of lanes_core.TILES.

    python3 tools/gen-kernels/generate.py [OUT_DIR]    (npm run gen:kernels)
    python3 tools/gen-kernels/generate.py --tiles      (prints the tile table as JSON)

OUT_DIR defaults to the repository's kernels/ folder. The files are committed; the test
suite (test/generated-kernels.test.ts) regenerates them into a temporary folder and fails
when they differ, and compares --tiles with the launchers' table, so edit the generators,
not the .wgsl files.
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_conv_filter  # noqa: E402
import gen_conv_lanes  # noqa: E402
import gen_conv_window  # noqa: E402
import gen_matmul_lanes  # noqa: E402
from lanes_core import TILES  # noqa: E402


def main():
    if sys.argv[1:] == ["--tiles"]:
        print(json.dumps({str(w): {"matmul": list(t["matmul"]), "convRows": list(t["conv_rows"]), "convCols": t["conv_cols"], "convNarrowCols": t["conv_narrow_cols"], "windowRows": gen_conv_window.window_rows(t), "windows": [list(window) for window in gen_conv_window.windows(w)],
                          "multiRowWindows": {str(rows): [list(window) for window in wins] for rows, wins in gen_conv_window.multi_row_windows(w).items()},
                          "filterTiles": [list(tile) for tile in gen_conv_filter.filter_tiles(t)], "filterWindows": [list(window) for window in gen_conv_filter.WINDOWS]} for w, t in TILES.items()}))
        return
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "kernels")
    files = dict(gen_conv_lanes.kernels())
    files.update(gen_conv_window.kernels(TILES))
    files.update(gen_conv_filter.kernels(TILES))
    for w, t in TILES.items():
        files[f"matmul_lanes_w{w}.wgsl"] = gen_matmul_lanes.kernel(w, *t["matmul"])
    os.makedirs(out, exist_ok=True)
    for name, text in sorted(files.items()):
        with open(os.path.join(out, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(os.path.join(out, name))


if __name__ == "__main__":
    main()
