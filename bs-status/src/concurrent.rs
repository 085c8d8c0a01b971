//! Running independent calls at once, or (for the benchmark's comparison,
//! `--sequential`) one after another.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// Awaits every future; all at once unless `sequential`. Outputs in input order.
pub async fn all<F: Future>(sequential: bool, futures: Vec<F>) -> Vec<F::Output> {
    if sequential {
        let mut out = Vec::with_capacity(futures.len());
        for f in futures {
            out.push(f.await);
        }
        return out;
    }
    let mut pending: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (f, slot) in pending.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *slot = Some(v),
                    Poll::Pending => waiting = true,
                }
            }
        }
        if waiting {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    done.into_iter().flatten().collect()
}

/// Awaits both; at once unless `sequential`. The futures are boxed: SDK call
/// futures are large, and nesting them inline overflows the main thread's stack.
pub async fn both<A: Future, B: Future>(sequential: bool, a: A, b: B) -> (A::Output, B::Output) {
    let (a, b) = (Box::pin(a), Box::pin(b));
    if sequential {
        let a = a.await;
        (a, b.await)
    } else {
        tokio::join!(a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn all_at_once_takes_the_longest_and_keeps_order() {
        let start = tokio::time::Instant::now();
        let futures = [30u64, 10, 20]
            .into_iter()
            .map(|ms| async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                ms
            })
            .collect();
        assert_eq!(all(false, futures).await, [30, 10, 20]);
        assert_eq!(start.elapsed(), Duration::from_millis(30));
    }

    #[tokio::test(start_paused = true)]
    async fn sequential_takes_the_sum() {
        let start = tokio::time::Instant::now();
        let futures = [30u64, 10, 20]
            .into_iter()
            .map(|ms| async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                ms
            })
            .collect();
        assert_eq!(all(true, futures).await, [30, 10, 20]);
        let (a, ()) = both(
            true,
            async { 1 },
            tokio::time::sleep(Duration::from_millis(5)),
        )
        .await;
        assert_eq!(a, 1);
        assert_eq!(start.elapsed(), Duration::from_millis(65));
    }
}
