"""Writes the generated WGSL kernels: conv2d_lanes_m{8,16,32}.wgsl and matmul_lanes.wgsl.

    python3 tools/gen-kernels/generate.py [OUT_DIR]    (npm run gen:kernels)

OUT_DIR defaults to the repository's kernels/ folder. The files are committed; the test
suite (test/generated-kernels.test.ts) regenerates them into a temporary folder and fails
when they differ, so edit the generators, not the .wgsl files.
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_conv_lanes  # noqa: E402
import gen_matmul_lanes  # noqa: E402


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "kernels")
    files = dict(gen_conv_lanes.kernels())
    files["matmul_lanes.wgsl"] = gen_matmul_lanes.kernel(4, 32)
    os.makedirs(out, exist_ok=True)
    for name, text in sorted(files.items()):
        with open(os.path.join(out, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(os.path.join(out, name))


if __name__ == "__main__":
    main()
