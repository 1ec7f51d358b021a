import { open } from 'node:fs/promises';

/**
 * The image names inside a WIM file (`install.wim`), read from its XML metadata without wimlib or DISM.
 * No maintained npm package reads WIMs, and this needs 50 lines: the 208-byte header points at an
 * uncompressed UTF-16 XML resource whose `<IMAGE><NAME>` elements are what DISM's `/Name:` matches.
 *
 * Layout (Microsoft's "Windows Imaging File Format (WIM)" whitepaper, WIMHEADER_V1_PACKED): magic
 * `MSWIM\0\0\0` at 0; `rhXmlData` at 72 is a RESHDR_DISK_SHORT: 7 bytes compressed size + 1 byte flags,
 * then 8 bytes offset, then 8 bytes original size. Split WIMs (.swm) carry the XML in the first part.
 */
const MAGIC = Buffer.from('MSWIM\0\0\0', 'latin1');
const HEADER_SIZE = 208;
const XML_RESHDR = 72;
/** Real install.wim XML is tens of KB; refuse absurd sizes rather than allocate them. */
const MAX_XML = 16 * 1024 * 1024;

/** Thrown when a file is not a WIM or its XML cannot be read. */
export class WimFormatError extends Error {
  override name = 'WimFormatError';
}

/** Reads the `<NAME>` of every image in a WIM, in index order. */
export async function readWimImageNames(path: string): Promise<string[]> {
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(HEADER_SIZE);
    const { bytesRead } = await file.read(header, 0, HEADER_SIZE, 0);
    if (bytesRead < HEADER_SIZE || !header.subarray(0, 8).equals(MAGIC)) {
      throw new WimFormatError('not a WIM file (no MSWIM header)');
    }
    const size = Number(header.readBigUInt64LE(XML_RESHDR) & 0x00ff_ffff_ffff_ffffn);
    const offset = Number(header.readBigUInt64LE(XML_RESHDR + 8));
    if (size === 0 || size > MAX_XML) throw new WimFormatError(`implausible XML metadata size ${size}`);
    const xml = Buffer.alloc(size);
    const read = await file.read(xml, 0, size, offset);
    if (read.bytesRead < size) throw new WimFormatError('XML metadata is cut short');
    return parseWimXmlNames(xml.toString('utf16le'));
  } finally {
    await file.close();
  }
}

/** The image names in a WIM's XML metadata (`<WIM><IMAGE INDEX="1"><NAME>…</NAME>…`). */
export function parseWimXmlNames(xml: string): string[] {
  const text = xml.replace(/^\uFEFF/, '');
  if (!/<WIM>/.test(text)) throw new WimFormatError('XML metadata has no <WIM> element');
  const names: string[] = [];
  for (const image of text.matchAll(/<IMAGE\b[^>]*>([\s\S]*?)<\/IMAGE>/g)) {
    // The image's own NAME, not one inside <WINDOWS> or another child element.
    const body = image[1]!.replace(/<(WINDOWS|DIRECTORYCOUNT)\b[\s\S]*?<\/\1>/g, '');
    const name = /<NAME>([\s\S]*?)<\/NAME>/.exec(body)?.[1];
    if (name !== undefined) names.push(unescapeXml(name.trim()));
  }
  return names;
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
