// A static server for the built page, on the loopback interface only (WebGPU needs a secure
// context, which http://127.0.0.1 and http://localhost are). Besides the page it serves:
//   /demo-model/<name>  the bundled demo model (web/demo-model), when the checkout has it
//   /faces/index.json   the names of the default training faces (fake-avatars' PNGs)
//   /faces/<name>.png   one face
// Nothing outside those folders is reachable: a request is answered only for a plain file
// name found in its folder's listing.
import { createServer } from "node:http";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { ROOT } from "./build.mjs";

const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".map": "application/json", ".json": "application/json", ".png": "image/png", ".safetensors": "application/octet-stream" };

/** The folder of the default faces, the one the Node trainer uses by default. */
export function facesFolder() {
  return join(dirname(createRequire(import.meta.url).resolve("fake-avatars/package.json")), "avatars", "png");
}

/** PNG names in numeric order (0.png, 1.png, ..., 10.png), as listImages sorts them by code unit in Node. */
function faceNames(folder) {
  return readdirSync(folder).filter((f) => f.endsWith(".png")).sort((a, b) => (a < b ? -1 : 1));
}

/** Serves the page built in `root`; resolves to { url, close } once listening. Port 0 picks a free one. */
export function serveWeb({ root, port = 8080, host = "127.0.0.1", demoFolder = join(ROOT, "web", "demo-model") } = {}) {
  const faces = facesFolder();
  const names = faceNames(faces);
  const folders = { "": root, "demo-model": demoFolder, faces };
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    if (request.method !== "GET" && request.method !== "HEAD") return send(response, 405, "text/plain", "only GET");
    if (path === "/faces/index.json") return send(response, 200, TYPES[".json"], JSON.stringify(names));
    const match = /^\/(?:(demo-model|faces)\/)?([^/]*)$/.exec(path);
    if (!match) return send(response, 404, "text/plain", "not found");
    const folder = folders[match[1] ?? ""];
    const name = match[2] || "index.html";
    const extension = name.slice(name.lastIndexOf("."));
    if (!TYPES[extension] || !existsSync(folder) || !readdirSync(folder).includes(name)) return send(response, 404, "text/plain", "not found");
    send(response, 200, TYPES[extension], readFileSync(join(folder, name)));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address();
      resolve({ url: `http://${host}:${bound}/`, close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }) });
    });
  });
}

function send(response, status, type, body) {
  response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  response.end(body);
}
