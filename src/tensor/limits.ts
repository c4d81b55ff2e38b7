/** The adapter limits that bound the size of one tensor. */
export interface BindingLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** The most bytes one buffer may hold: every tensor is created as a buffer and bound as storage. */
export function largestBinding(limits: BindingLimits): number {
  return Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
}
