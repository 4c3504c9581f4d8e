//! NumPy's `.npy` format (version 1.0), enough to write and read the two arrays
//! `provsim traces` exchanges with side-channel tools: float32 traces `[N, samples]`
//! and uint8 plaintexts `[N, 16]`, C order, little-endian.

use anyhow::{Context, bail};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

const MAGIC: &[u8] = b"\x93NUMPY";

/// A `.npy` file being written row by row, its shape stated up front.
pub struct NpyWriter {
    out: BufWriter<File>,
}

impl NpyWriter {
    /// Creates `path` for a `rows x columns` array of `descr` (`<f4` or `|u1`).
    pub fn create(path: &Path, descr: &str, rows: u64, columns: usize) -> anyhow::Result<Self> {
        let file =
            File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let mut header = format!(
            "{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {columns}), }}"
        );
        // Magic, version, length, header and its newline end on a multiple of 64 bytes.
        let unpadded = MAGIC.len() + 2 + 2 + header.len() + 1;
        header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
        header.push('\n');
        let length = u16::try_from(header.len()).context("a .npy header that long")?;
        out.write_all(MAGIC)?;
        out.write_all(&[1, 0])?;
        out.write_all(&length.to_le_bytes())?;
        out.write_all(header.as_bytes())?;
        Ok(NpyWriter { out })
    }

    pub fn f32_row(&mut self, row: &[f64]) -> std::io::Result<()> {
        for &x in row {
            self.out.write_all(&(x as f32).to_le_bytes())?;
        }
        Ok(())
    }

    pub fn u8_row(&mut self, row: &[u8]) -> std::io::Result<()> {
        self.out.write_all(row)
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// A `.npy` file being read row by row.
pub struct NpyReader {
    input: BufReader<File>,
    pub rows: u64,
    pub columns: usize,
}

impl NpyReader {
    /// Opens `path`, which must hold a 2-D C-order array of `descr`.
    pub fn open(path: &Path, descr: &str) -> anyhow::Result<Self> {
        let file = File::open(path).with_context(|| format!("cannot open `{}`", path.display()))?;
        let size = file
            .metadata()
            .with_context(|| format!("cannot read `{}`", path.display()))?
            .len();
        let mut input = BufReader::with_capacity(1 << 20, file);
        let mut lead = [0u8; 8];
        input
            .read_exact(&mut lead)
            .with_context(|| format!("`{}`: not a .npy file", path.display()))?;
        if &lead[..6] != MAGIC {
            bail!("`{}`: not a .npy file (no NUMPY magic)", path.display());
        }
        let short = || format!("`{}`: cut short in its header", path.display());
        let (length, lead_len) = match lead[6] {
            1 => {
                let mut n = [0u8; 2];
                input.read_exact(&mut n).with_context(short)?;
                (usize::from(u16::from_le_bytes(n)), 10)
            }
            2 | 3 => {
                let mut n = [0u8; 4];
                input.read_exact(&mut n).with_context(short)?;
                (usize::try_from(u32::from_le_bytes(n))?, 12)
            }
            v => bail!("`{}`: .npy version {v} is not known", path.display()),
        };
        if length > 1 << 16 {
            bail!("`{}`: a .npy header of {length} bytes", path.display());
        }
        let mut header = vec![0u8; length];
        input.read_exact(&mut header).with_context(short)?;
        let header = String::from_utf8_lossy(&header);
        let field = |key: &str| -> Option<String> {
            let at = header.find(&format!("'{key}':"))? + key.len() + 3;
            Some(header[at..].trim_start().to_owned())
        };
        let want = format!("'{descr}'");
        if !field("descr").is_some_and(|d| d.starts_with(&want)) {
            bail!(
                "`{}`: expected an array of {descr}: {header}",
                path.display()
            );
        }
        if !field("fortran_order").is_some_and(|f| f.starts_with("False")) {
            bail!("`{}`: expected a C-order array: {header}", path.display());
        }
        let shape = field("shape")
            .and_then(|s| Some(s.strip_prefix('(')?.split(')').next()?.to_owned()))
            .context("a .npy header without a shape")?;
        let dims: Vec<u64> = shape
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .with_context(|| format!("`{}`: shape ({shape})", path.display()))?;
        let [rows, columns] = dims[..] else {
            bail!(
                "`{}`: expected a 2-D array, shape ({shape})",
                path.display()
            );
        };
        // The data must be exactly what the header says: a file cut short would end a
        // run early, one too long holds something else besides.
        let item: u64 = if descr.ends_with('4') { 4 } else { 1 };
        let expected = rows
            .checked_mul(columns)
            .and_then(|n| n.checked_mul(item))
            .and_then(|n| n.checked_add((lead_len + length) as u64));
        if expected != Some(size) {
            bail!(
                "`{}`: its header says {rows} x {columns} values ({} bytes in all), but the file has {size} bytes",
                path.display(),
                expected.map_or_else(|| "more than 2^64".to_owned(), |n| n.to_string())
            );
        }
        Ok(NpyReader {
            input,
            rows,
            columns: usize::try_from(columns)?,
        })
    }

    /// Fills `out` from the next bytes of the data.
    pub fn read_exact(&mut self, out: &mut [u8]) -> std::io::Result<()> {
        self.input.read_exact(out)
    }
}
