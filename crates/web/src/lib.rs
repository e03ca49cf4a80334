//! Web server (skeleton; being written).
