// npm run web [-- --port N]: builds the page and serves it on http://localhost:N (default 8080)
// until Ctrl-C. WebGPU must be on in the browser: see docs/web.md.
import { buildWeb } from "./build.mjs";
import { serveWeb } from "./serve.mjs";

const args = process.argv.slice(2);
let port = 8080;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--port" && /^\d+$/.test(args[i + 1] ?? "") && Number(args[i + 1]) < 65536) port = Number(args[++i]);
  else {
    console.error(`web: unknown argument ${JSON.stringify(args[i])}; usage: npm run web [-- --port N] (N from 0 to 65535)`);
    process.exit(2);
  }
}
try {
  const root = await buildWeb();
  const { url, close } = await serveWeb({ root, port, host: "localhost" });
  console.log(`serving ${url} (Ctrl-C stops). Chrome and Edge 113+ have WebGPU on; on Linux start Chromium with --enable-unsafe-webgpu --enable-features=Vulkan. See docs/web.md.`);
  process.once("SIGINT", () => close().then(() => process.exit(0)));
} catch (error) {
  console.error(`web: ${error.code === "EADDRINUSE" ? `port ${port} is taken; pass another with -- --port N` : error.message}`);
  process.exit(1);
}
