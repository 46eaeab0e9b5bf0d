/**
 * music-metadata with the parser chosen by content. Its `parseFile` picks the parser from the file
 * extension, which turns an M4A named `.mp3` into "MPEG 2.5 Layer 3, 8 kHz"; here the sniffed
 * MIME type decides.
 */
import { parseFromTokenizer } from 'music-metadata';
import type { IAudioMetadata, IOptions } from 'music-metadata';
import { fromFile } from 'strtok3';
import type { SniffResult } from './sniff.js';

/**
 * Reads tags and stream parameters with music-metadata, choosing its parser by the sniffed
 * content (MIME type), never by the file extension: an MP3 named `.wav` is parsed as MPEG.
 * Without a sniffed format, music-metadata guesses from the content (file-type) first and only
 * then from the extension.
 */
export async function readTags(
  path: string,
  sniffed: SniffResult | null,
  options: IOptions = { duration: false, skipCovers: true },
): Promise<IAudioMetadata> {
  const tokenizer = await fromFile(path, sniffed ? { fileInfo: { mimeType: sniffed.mime } } : {});
  try {
    if (!sniffed) {
      try {
        // Content first: hide the name so that the parser is guessed from the bytes.
        const { path: _name, ...rest } = tokenizer.fileInfo;
        void _name;
        const anonymous = await fromFile(path, { fileInfo: rest });
        try {
          return await parseFromTokenizer(anonymous, options);
        } finally {
          await anonymous.close();
        }
      } catch {
        // fall through to the extension
      }
    }
    return await parseFromTokenizer(tokenizer, options);
  } finally {
    await tokenizer.close();
  }
}
