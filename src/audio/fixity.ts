/**
 * Fixity: MD5 and SHA-256 of the whole file and, for WAV/BWF/RF64, the MD5 of the `data` chunk
 * payload only (the BWF MetaEdit convention: editing bext/INFO/iXML leaves it unchanged), all in
 * one streaming read of the file (memory: one read buffer).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { SonoError } from '../errors.js';
import type { Fixity } from './types.js';

export type { Fixity } from './types.js';

/** Computes the file's fixity. `wav` is the data chunk from `probeFile` (omit for other formats). */
export async function computeFixity(
  path: string,
  wav?: { readonly dataOffset: number; readonly dataSize: number },
): Promise<Fixity> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  const dataMd5 = wav ? createHash('md5') : null;
  const dataStart = wav?.dataOffset ?? 0;
  const dataEnd = wav ? wav.dataOffset + wav.dataSize : 0;
  let pos = 0;
  try {
    for await (const chunk of createReadStream(path, {
      highWaterMark: 1024 * 1024,
    }) as AsyncIterable<Buffer>) {
      md5.update(chunk);
      sha256.update(chunk);
      if (dataMd5) {
        const from = Math.max(dataStart, pos);
        const to = Math.min(dataEnd, pos + chunk.length);
        if (to > from) dataMd5.update(chunk.subarray(from - pos, to - pos));
      }
      pos += chunk.length;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SonoError('SONO_ERR_PATH_NOT_FOUND', { path }, { cause: e });
    throw new SonoError(
      'SONO_ERR_READ_FAILED',
      { path, detail: (e as Error).message },
      { cause: e },
    );
  }
  if (wav && pos < dataEnd)
    throw new SonoError('SONO_ERR_TRUNCATED', {
      path,
      detail: `the file shrank while hashing: ${pos} bytes, the data chunk ends at ${dataEnd}`,
    });
  return {
    md5: md5.digest('hex'),
    sha256: sha256.digest('hex'),
    audio_data_md5: dataMd5 ? dataMd5.digest('hex') : null,
    bytes: pos,
  };
}
