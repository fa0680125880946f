//! Streaming reader of ServiceNow incident exports, gzip-compressed or plain CSV.
//!
//! Splitting is left to the `csv` crate rather than a hand-written splitter: ServiceNow quotes
//! fields that hold commas or line breaks (descriptions, work notes), and `csv` handles RFC 4180
//! quoting while still reading into one reused buffer per record, so the reader allocates only
//! for the fields it keeps.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;

use crate::Error;
use crate::row::{Columns, ImportRow, RecentValues, Unreadable, UnreadableReason};

/// The two bytes every gzip stream starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Wraps a byte source so that it yields plain CSV: gzip is recognised by its magic bytes and
/// decompressed on the fly, anything else is passed through.
///
/// # Errors
///
/// Fails when the first bytes cannot be read from `source`.
pub fn decompressed<'a, R: Read + Send + 'a>(source: R) -> io::Result<Box<dyn Read + Send + 'a>> {
    let mut buffered = BufReader::with_capacity(64 * 1024, source);
    let head = buffered.fill_buf()?;
    if head.starts_with(&GZIP_MAGIC) {
        Ok(Box::new(MultiGzDecoder::new(buffered)))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Reads an export row by row, never holding more than one record in memory.
///
/// It is an iterator of rows: a row that cannot be read comes out as
/// [`Error::Unreadable`] and reading goes on with the next one (the caller decides whether that
/// is fatal); an I/O error (such as a truncated gzip stream) comes out once and ends the
/// iteration.
///
/// ```
/// use incident_import::{Error, ExportReader};
///
/// let csv = "number,incident_state,sys_updated_at\n\
///            INC1,New,29/2/2016 01:23\n\
///            INC1,-100,29/2/2016 01:30\n";
/// let mut rows = ExportReader::from_reader(csv.as_bytes())?;
/// assert_eq!(&*rows.next().unwrap()?.number, "INC1");
/// assert!(matches!(rows.next(), Some(Err(Error::Unreadable(u))) if u.line == 3));
/// assert!(rows.next().is_none());
/// # Ok::<(), Error>(())
/// ```
pub struct ExportReader<'a> {
    csv: csv::Reader<Box<dyn Read + Send + 'a>>,
    columns: Columns,
    record: csv::ByteRecord,
    recent: RecentValues,
    done: bool,
}

impl std::fmt::Debug for ExportReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportReader")
            .field("columns", &self.columns.width())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl ExportReader<'static> {
    /// Opens an export file (gzip or plain CSV) and reads its header.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be opened or read, [`Error::Header`] when the header
    /// lacks a column the replay needs (`number`, `incident_state`, `sys_updated_at`).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| Error::Io {
            message: format!("{}: {e}", path.display()),
        })?;
        Self::from_reader(file)
    }
}

impl<'a> ExportReader<'a> {
    /// Reads an export from any byte source (gzip or plain CSV) and reads its header.
    ///
    /// Wrap the source first to observe progress, e.g. in a progress bar's reader.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the source cannot be read, [`Error::Header`] when the header lacks a
    /// column the replay needs.
    pub fn from_reader<R: Read + Send + 'a>(source: R) -> Result<Self, Error> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .buffer_capacity(256 * 1024)
            .from_reader(decompressed(source).map_err(Error::io)?);

        let header = csv.byte_headers().map_err(Error::from_csv)?;
        let names = header
            .iter()
            .map(|name| std::str::from_utf8(name).unwrap_or(""));
        let columns = Columns::from_header(names).map_err(|missing| Error::Header {
            missing: missing.to_owned(),
        })?;

        Ok(Self {
            csv,
            columns,
            record: csv::ByteRecord::new(),
            recent: RecentValues::default(),
            done: false,
        })
    }

    /// Reads the next row; `None` at the end of the export or after an I/O error.
    fn next_row(&mut self) -> Option<Result<ImportRow, Error>> {
        if self.done {
            return None;
        }
        match self.csv.read_byte_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => {
                self.done = true;
                return None;
            }
            Err(error) => {
                self.done = true;
                return Some(Err(Error::from_csv(error)));
            }
        }

        let line = self.record.position().map_or(0, |p| p.line());
        let row = self.columns.read(line, &self.record, &mut self.recent);
        Some(row.map_err(Error::Unreadable))
    }
}

impl Iterator for ExportReader<'_> {
    type Item = Result<ImportRow, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row()
    }
}

impl std::iter::FusedIterator for ExportReader<'_> {}

impl Error {
    fn io(error: io::Error) -> Self {
        Error::Io {
            message: error.to_string(),
        }
    }

    fn from_csv(error: csv::Error) -> Self {
        let line = error.position().map(|p| p.line());
        match error.into_kind() {
            csv::ErrorKind::Io(error) => Error::io(error),
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => Error::Unreadable(Unreadable {
                line: line.unwrap_or(0),
                reason: UnreadableReason::FieldCount {
                    expected: expected_len as usize,
                    found: len as usize,
                },
            }),
            other => Error::Io {
                message: format!("{other:?}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const SAMPLE: &str = "number,incident_state,active,reopen_count,sys_updated_at,impact,\
        priority\n\
        INC1,New,true,0,29/2/2016 01:23,2 - Medium,3 - Moderate\n\
        INC1,Awaiting Evidence,true,?,29/2/2016 02:23,?,3 - Moderate\n\
        INC1,-100,true,0,29/2/2016 03:23,2 - Medium,3 - Moderate\n\
        INC1,Resolved,true\n\
        INC1,Resolved,maybe,0,29/2/2016 03:23,2 - Medium,3 - Moderate\n\
        INC1,Closed,false,0,31/2/2016 03:23,2 - Medium,3 - Moderate\n\
        \"INC2\",\"Active, really\",true,0,1/3/2016 00:00,1 - High,1 - Critical\n\
        INC2,Active,true,0,1/3/2016 00:05,1 - High,1 - Critical\n";

    fn read_all(source: &[u8]) -> Vec<Result<ImportRow, Error>> {
        ExportReader::from_reader(source).unwrap().collect()
    }

    fn unreadable_line(item: &Result<ImportRow, Error>) -> Option<u64> {
        match item {
            Err(Error::Unreadable(u)) => Some(u.line),
            _ => None,
        }
    }

    #[test]
    fn plain_csv_rows_are_typed_and_bad_rows_reported_by_line() {
        let rows = read_all(SAMPLE.as_bytes());
        assert_eq!(rows.len(), 8);

        let first = rows[0].as_ref().unwrap();
        assert_eq!(
            (first.line, first.impact, first.priority),
            (2, Some(2), Some(3))
        );
        let held = rows[1].as_ref().unwrap();
        assert_eq!((held.reopen_count, held.impact), (None, None));

        let bad: Vec<u64> = rows.iter().filter_map(unreadable_line).collect();
        assert_eq!(bad, vec![4, 5, 6, 7, 8]);
        assert!(matches!(
            &rows[3],
            Err(Error::Unreadable(Unreadable {
                reason: UnreadableReason::FieldCount {
                    expected: 7,
                    found: 3
                },
                ..
            }))
        ));
        assert_eq!(rows[7].as_ref().unwrap().line, 9);
    }

    #[test]
    fn gzip_is_recognised_by_its_magic_bytes() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(SAMPLE.as_bytes()).unwrap();
        let compressed = encoder.finish().unwrap();

        let plain: Vec<String> = read_all(SAMPLE.as_bytes())
            .iter()
            .map(|r| format!("{r:?}"))
            .collect();
        let unzipped: Vec<String> = read_all(&compressed)
            .iter()
            .map(|r| format!("{r:?}"))
            .collect();
        assert_eq!(plain, unzipped);
    }

    #[test]
    fn a_truncated_gzip_stream_is_one_io_error_then_the_end() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for _ in 0..2000 {
            encoder.write_all(SAMPLE.as_bytes()).unwrap();
        }
        let compressed = encoder.finish().unwrap();
        let cut = &compressed[..compressed.len() / 2];

        let mut reader = ExportReader::from_reader(cut).unwrap();
        let errors: Vec<Error> = reader.by_ref().filter_map(Result::err).collect();
        assert!(matches!(errors.last(), Some(Error::Io { .. })));
        assert!(reader.next().is_none());
    }

    #[test]
    fn a_header_without_the_state_column_is_refused() {
        let error =
            ExportReader::from_reader("number,sys_updated_at\nINC1,1/1/2016 00:00\n".as_bytes())
                .unwrap_err();
        assert!(matches!(error, Error::Header { missing } if missing == "incident_state"));
        assert!(matches!(
            ExportReader::from_reader(&b""[..]).unwrap_err(),
            Error::Header { .. }
        ));
    }
}
