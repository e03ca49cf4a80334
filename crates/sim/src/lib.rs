//! Synthetic town (skeleton; being written).
