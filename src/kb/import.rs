//! `kefu admin kb import` (placeholder, filled below).
