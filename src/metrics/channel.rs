//! An unbounded channel that keeps its depth in a [`Gauge`]: +1 before each send, −1 when the
//! receiver takes it. Tokio's unbounded channel cannot tell its length from the sending side,
//! and `/metrics` must not ask the receiver (the hub) anything.

use super::Gauge;
use std::sync::Arc;
use tokio::sync::mpsc;

pub struct CountedSender<T> {
    tx: mpsc::UnboundedSender<T>,
    depth: Arc<Gauge>,
}

// Not derived: that would require `T: Clone`.
impl<T> Clone for CountedSender<T> {
    fn clone(&self) -> Self {
        CountedSender {
            tx: self.tx.clone(),
            depth: self.depth.clone(),
        }
    }
}

pub struct CountedReceiver<T> {
    rx: mpsc::UnboundedReceiver<T>,
    depth: Arc<Gauge>,
}

pub fn counted_unbounded<T>(depth: Arc<Gauge>) -> (CountedSender<T>, CountedReceiver<T>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (
        CountedSender {
            tx,
            depth: depth.clone(),
        },
        CountedReceiver { rx, depth },
    )
}

impl<T> CountedSender<T> {
    /// Like [`mpsc::UnboundedSender::send`].
    pub fn send(&self, value: T) -> Result<(), mpsc::error::SendError<T>> {
        // Counted before it can be received, so the gauge never dips below zero.
        self.depth.inc();
        self.tx.send(value).inspect_err(|_| self.depth.dec())
    }
}

impl<T> CountedReceiver<T> {
    /// Like [`mpsc::UnboundedReceiver::recv`], and as cancel-safe: nothing awaits after the
    /// value is taken.
    pub async fn recv(&mut self) -> Option<T> {
        let value = self.rx.recv().await;
        if value.is_some() {
            self.depth.dec();
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_gauge_follows_what_is_in_the_channel() {
        let depth = Arc::new(Gauge::default());
        let (tx, mut rx) = counted_unbounded::<u32>(depth.clone());
        tx.send(1).unwrap();
        tx.clone().send(2).unwrap();
        assert_eq!(depth.get(), 2);
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(depth.get(), 1);
        drop(rx);
        assert!(tx.send(3).is_err());
        assert_eq!(depth.get(), 1, "a failed send is not counted");
    }
}
