/** A bandwidth-bound case: add of two 16M-element tensors (reads 2, writes 1). */
import { add } from "../../src/index.js";
import { register } from "../harness.js";

const ELEMENTS = 16 * 1024 * 1024;

register({
  name: "add 16M elements",
  prepare: (device) => {
    const a = device.tensor(new Float32Array(ELEMENTS).fill(1), [ELEMENTS]);
    const b = device.tensor(new Float32Array(ELEMENTS).fill(2), [ELEMENTS]);
    return {
      run: () => add(a, b).dispose(),
      bytes: 3 * ELEMENTS * 4,
      dispose: () => { a.dispose(); b.dispose(); },
    };
  },
});
