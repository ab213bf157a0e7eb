// A webview's end of its protocol: src/protocol/panel.ts for the training
// panel, src/protocol/sidebar.ts for the side view. Each webview makes one
// channel typed with its own messages.
interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface HostChannel<ToHost, FromHost> {
  // Properties, not methods: they are arrow functions, safe to pass around unbound (host.send).
  send: (message: ToHost) => void;
  onMessage: (handler: (message: FromHost) => void) => void;
}

export function hostChannel<ToHost, FromHost extends { method: string }>(): HostChannel<ToHost, FromHost> {
  // VS Code allows one acquireVsCodeApi() per webview: one channel per webview.
  const api = acquireVsCodeApi();
  return {
    send: (message) => api.postMessage(message),
    onMessage: (handler) =>
      window.addEventListener('message', (e: MessageEvent) => {
        const data = e.data as FromHost;
        if (data && typeof data.method === 'string') handler(data);
      }),
  };
}
