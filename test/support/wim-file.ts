import { writeFileSync } from 'node:fs';

/**
 * Writes a minimal WIM: the 208-byte header (magic, rhXmlData at 72 pointing past the header) and the
 * UTF-16LE XML metadata with a BOM, as DISM and wimlib write it. Enough for readers of image names.
 */
export function writeWimFile(path: string, imageNames: string[]): void {
  const images = imageNames
    .map(
      (name, i) =>
        `<IMAGE INDEX="${i + 1}"><DIRCOUNT>1</DIRCOUNT><WINDOWS><ARCH>9</ARCH></WINDOWS><NAME>${name.replace(/&/g, '&amp;')}</NAME><DESCRIPTION>${name}</DESCRIPTION></IMAGE>`,
    )
    .join('');
  const xml = Buffer.from(`\uFEFF<WIM><TOTALBYTES>1</TOTALBYTES>${images}</WIM>`, 'utf16le');
  const header = Buffer.alloc(208);
  header.write('MSWIM\0\0\0', 0, 'latin1');
  header.writeUInt32LE(208, 8);
  header.writeUInt32LE(0x10d00, 12);
  header.writeUInt32LE(imageNames.length, 44);
  header.writeBigUInt64LE(BigInt(xml.length), 72);
  header.writeBigUInt64LE(208n, 80);
  header.writeBigUInt64LE(BigInt(xml.length), 88);
  writeFileSync(path, Buffer.concat([header, xml]));
}
