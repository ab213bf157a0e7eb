// Fetches a data set file once, checks its MD5 against the published one, and
// keeps it. Downloads go to a ".part" file first so an interrupted download
// never looks like a finished one.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataError } from './dataset';

export interface RemoteFile {
  url: string;
  md5: string;
  /** File name in the data folder. */
  name: string;
}

export type Progress = (p: { file: string; received: number; total?: number }) => void;

export function md5File(file: string): string {
  return crypto.createHash('md5').update(fs.readFileSync(file)).digest('hex');
}

export async function downloadVerified(remote: RemoteFile, dir: string, onProgress?: Progress): Promise<string> {
  const target = path.join(dir, remote.name);
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(dir, { recursive: true });
  const part = `${target}.part`;
  let response: Response;
  try {
    response = await fetch(remote.url);
  } catch (e) {
    throw new DataError(
      target,
      `could not download ${remote.url} (${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message})`,
      `Check the network, or download it by hand and put it at ${target}`,
    );
  }
  if (!response.ok || !response.body) {
    throw new DataError(
      target,
      `download of ${remote.url} failed with HTTP ${response.status}`,
      `Download it by hand and put it at ${target}`,
    );
  }
  const total = Number(response.headers.get('content-length')) || undefined;
  let received = 0;
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  body.on('data', (chunk: Buffer) => {
    received += chunk.length;
    onProgress?.({ file: remote.name, received, total });
  });
  try {
    await pipeline(body, fs.createWriteStream(part));
  } catch (e) {
    fs.rmSync(part, { force: true });
    const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    throw new DataError(
      target,
      `download of ${remote.url} was interrupted after ${received} bytes (${cause})`,
      'Check the network and try again',
    );
  }
  const actual = md5File(part);
  if (actual !== remote.md5) {
    fs.rmSync(part, { force: true });
    throw new DataError(
      target,
      `checksum mismatch after download (md5 ${actual}, expected ${remote.md5})`,
      'The download was damaged or the server sent something else; try again',
    );
  }
  fs.renameSync(part, target);
  return target;
}
