/** kernels/*.wgsl as { name: WGSL text }, made at build time by scripts/web/build.mjs. */
declare module "kernels:wgsl" {
  const kernels: Readonly<Record<string, string>>;
  export default kernels;
}
