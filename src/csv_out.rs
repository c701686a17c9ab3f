//! Writing CSV files: the generator, the dataset converters and the neo4j export all write
//! the same RFC 4180 shape (a header line, fields quoted only when they must be).

use std::io::{BufWriter, Write};
use std::path::Path;

/// A CSV file being written row by row.
pub struct CsvWriter {
    out: BufWriter<std::fs::File>,
    rows: usize,
}

impl CsvWriter {
    pub fn create(path: &Path, header: &[&str]) -> std::io::Result<CsvWriter> {
        let mut writer = CsvWriter { out: BufWriter::new(std::fs::File::create(path)?), rows: 0 };
        writer.write_line(header)?;
        Ok(writer)
    }

    pub fn row(&mut self, fields: &[&str]) -> std::io::Result<()> {
        self.write_line(fields)?;
        self.rows += 1;
        Ok(())
    }

    fn write_line(&mut self, fields: &[&str]) -> std::io::Result<()> {
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
            }
            if field.contains([',', '"', '\n', '\r']) {
                write!(self.out, "\"{}\"", field.replace('"', "\"\""))?;
            } else {
                self.out.write_all(field.as_bytes())?;
            }
        }
        self.out.write_all(b"\n")
    }

    /// Flushes and returns the number of rows written (the header not counted).
    pub fn finish(mut self) -> std::io::Result<usize> {
        self.out.flush()?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_fields_that_need_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        let mut w = CsvWriter::create(&path, &["a", "b"]).unwrap();
        w.row(&["甲,乙", "say \"hi\""]).unwrap();
        w.row(&["plain", ""]).unwrap();
        assert_eq!(w.finish().unwrap(), 2);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n\"甲,乙\",\"say \"\"hi\"\"\"\nplain,\n");
    }
}
