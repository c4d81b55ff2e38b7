/**
 * Adam, the slow way: one parameter element at a time in float64, bias corrections written
 * out as in Kingma and Ba, with eps added to sqrt(v) after the correction of lr only
 * (TensorFlow's form, which the official DeepFill code trains with).
 */
export interface AdamReferenceState {
  param: Float64Array;
  m: Float64Array;
  v: Float64Array;
  t: number;
}

export function adamReferenceInit(param: ArrayLike<number>): AdamReferenceState {
  return { param: Float64Array.from(param), m: new Float64Array(param.length), v: new Float64Array(param.length), t: 0 };
}

/** One step from gradient `g`, in place on `s`. */
export function adamReferenceStep(s: AdamReferenceState, g: ArrayLike<number>, lr: number, beta1: number, beta2: number, eps: number): void {
  s.t += 1;
  const correction1 = 1 - Math.pow(beta1, s.t);
  const correction2 = 1 - Math.pow(beta2, s.t);
  for (let i = 0; i < s.param.length; i++) {
    s.m[i] = beta1 * s.m[i]! + (1 - beta1) * g[i]!;
    s.v[i] = beta2 * s.v[i]! + (1 - beta2) * g[i]! * g[i]!;
    const stepSize = (lr * Math.sqrt(correction2)) / correction1;
    s.param[i] = s.param[i]! - (stepSize * s.m[i]!) / (Math.sqrt(s.v[i]!) + eps);
  }
}
