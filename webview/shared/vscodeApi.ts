// The webview's end of the protocol in src/protocol/webview.ts.
import type { HostMessage, WebviewMessage } from '../../src/protocol/webview';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function send(message: WebviewMessage): void {
  api.postMessage(message);
}

export function saveState(state: unknown): void {
  api.setState(state);
}

export function onHostMessage(handler: (m: HostMessage) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    const data = e.data as HostMessage;
    if (data && typeof data.method === 'string') handler(data);
  });
}
