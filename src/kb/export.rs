//! `kefu admin kb export` (placeholder, filled below).
