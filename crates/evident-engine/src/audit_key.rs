//! The audit key's home outside the database: `DATA/audit.key` (64 hex digits, created on first use with mode 0600, refused when others can read it), or a key given by the operator (`EVIDENT_AUDIT_KEY`).

use std::io::Write;
use std::path::Path;

use evident_core::audit::AuditKey;

use crate::EngineError;

/// The key file's name inside the data directory.
pub const KEY_FILE: &str = "audit.key";

/// The audit key: `given` (hex) when the operator passes one, else the key file in
/// `data_dir`, created with a fresh random key when missing.
pub fn load_or_create(given: Option<&str>, data_dir: &Path) -> Result<AuditKey, EngineError> {
    if let Some(hex) = given {
        return AuditKey::from_hex(hex)
            .map_err(|e| EngineError::Usage(format!("EVIDENT_AUDIT_KEY: {e}")));
    }
    let path = data_dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            check_private(&path)?;
            AuditKey::from_hex(&text)
                .map_err(|e| EngineError::Usage(format!("{}: {e}", path.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(&path),
        Err(e) => Err(EngineError::io(&path)(e)),
    }
}

fn create(path: &Path) -> Result<AuditKey, EngineError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(EngineError::io(dir))?;
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| EngineError::Usage(format!("no randomness for the audit key: {e}")))?;
    let key = AuditKey::from_bytes(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            writeln!(file, "{}", key.to_hex())
                .and_then(|()| file.sync_all())
                .map_err(EngineError::io(path))?;
            Ok(key)
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).map_err(EngineError::io(path))?;
            AuditKey::from_hex(&text)
                .map_err(|e| EngineError::Usage(format!("{}: {e}", path.display())))
        }
        Err(e) => Err(EngineError::io(path)(e)),
    }
}

/// Refuses a key file that others than its owner may read or write.
fn check_private(path: &Path) -> Result<(), EngineError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(EngineError::io(path))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(EngineError::Usage(format!(
                "{} is open to other users (mode {:o}): run `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(None, dir.path()).unwrap();
        let b = load_or_create(None, dir.path()).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join(KEY_FILE);
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(load_or_create(None, dir.path()).is_err());
        }
        let given = "ab".repeat(32);
        assert_eq!(
            load_or_create(Some(&given), dir.path()).unwrap().to_hex(),
            given
        );
        assert!(load_or_create(Some("short"), dir.path()).is_err());
    }
}
