//! Persistence (skeleton; being written).
