//! Registering a simulated town's extract files: each file's checksum and
//! row count go into storage, in one transaction, so the next stage (ingest)
//! knows exactly which bytes it is working from. Repeating it changes nothing.

use crate::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use upstream_store::{NewExtractFile, NewTown, RegisterSummary, Store};

pub async fn register(store: &Store, dir: &Path) -> Result<RegisterSummary> {
    let manifest = upstream_sim::read_manifest(dir).map_err(Error::Refused)?;
    // Check and hash every file before writing anything: a bad file refuses the whole batch.
    let mut files = Vec::with_capacity(manifest.files.len());
    for f in &manifest.files {
        let path = dir.join(&f.path);
        if !path.is_file() {
            crate::refuse!(
                "{} is listed in the manifest but is missing; re-run `upstream simulate`",
                path.display()
            );
        }
        let (sha256, bytes) = hash_file(&path).map_err(|e| Error::io(&path, e))?;
        files.push(NewExtractFile {
            source: f.source,
            period: f.period,
            file_name: f.path.clone(),
            sha256,
            rows: f.rows as i64,
            bytes: bytes as i64,
        });
    }
    let town = store
        .record_town(&NewTown {
            profile: manifest.profile.clone(),
            council_name: manifest.council_name.clone(),
            seed: manifest.seed,
            households: manifest.households as i64,
            months: manifest.months as i64,
            start_month: manifest.start_month,
            created_at: chrono::Utc::now(),
        })
        .await?;
    Ok(store.register_extracts(Some(town), &files).await?)
}

fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hasher.update(&buf[..n]);
    }
    let digest = hasher.finalize();
    Ok((digest.iter().map(|b| format!("{b:02x}")).collect(), total))
}
