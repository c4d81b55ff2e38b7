export { requireGrad, requiresGrad, noGrad, record, type RecordOptions, type Vjp } from "./graph.js";
export { grad, backward, SecondOrderNotSupportedError, type GradOptions } from "./grad.js";
export { gradcheck, gradgradcheck, type GradcheckOptions, type GradcheckResult } from "./gradcheck.js";
