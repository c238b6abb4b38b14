"""Softmax regression in numpy: the model every federated client trains.

Parameters are one matrix ``W`` of shape ``[features + 1, classes]`` (the last row is the bias).
Local training is mini-batch SGD on the cross-entropy with a small L2 penalty.

Example:
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0]] * 20); y = np.array([0, 1] * 20)
    >>> W = sgd(np.zeros((3, 2)), X, y, epochs=20, lr=0.5, batch=8,
    ...         rng=np.random.default_rng(0))
    >>> accuracy(W, X, y)
    1.0
"""

from __future__ import annotations

import numpy as np

L2 = 1e-4


def augment(X: np.ndarray) -> np.ndarray:
    """Features with a constant 1 column (the bias).

    Example:
        >>> augment(np.zeros((1, 2))).tolist()
        [[0.0, 0.0, 1.0]]
    """
    return np.hstack([X, np.ones((X.shape[0], 1))])


def probabilities(W: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Class probabilities ``softmax(X W)`` (``X`` without the bias column; ``W`` may be a
    stack ``[models, features + 1, classes]``).

    Example:
        >>> probabilities(np.zeros((2, 2)), np.zeros((1, 1))).tolist()
        [[0.5, 0.5]]
    """
    Xa = augment(X)
    logits = Xa @ W if W.ndim == 2 else np.einsum("nf,mfc->mnc", Xa, W)
    logits = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)


def accuracy(W: np.ndarray, X: np.ndarray, y: np.ndarray) -> float | np.ndarray:
    """Share of correct predictions (one per model when ``W`` is a stack).

    Example:
        >>> accuracy(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[1.0], [0.0]]),
        ...          np.array([0, 1]))
        0.5
    """
    p = probabilities(W, X)
    acc = (p.argmax(axis=-1) == y).mean(axis=-1)
    return float(acc) if np.ndim(acc) == 0 else acc


def log_loss(W: np.ndarray, X: np.ndarray, y: np.ndarray) -> float | np.ndarray:
    """Mean cross-entropy (one per model when ``W`` is a stack).

    Example:
        >>> round(log_loss(np.zeros((2, 2)), np.zeros((2, 1)), np.array([0, 1])), 6)
        0.693147
    """
    p = probabilities(W, X)
    index = np.broadcast_to(np.asarray(y)[:, None], (*p.shape[:-1], 1))
    picked = np.take_along_axis(p, index, axis=-1)
    loss = -np.log(np.clip(picked[..., 0], 1e-12, None)).mean(axis=-1)
    return float(loss) if np.ndim(loss) == 0 else loss


def sgd(W: np.ndarray, X: np.ndarray, y: np.ndarray, epochs: int, lr: float, batch: int,
        rng: np.random.Generator) -> np.ndarray:
    """``epochs`` of mini-batch SGD from ``W``; returns the new parameters.

    Example:
        >>> W = sgd(np.zeros((2, 2)), np.ones((4, 1)), np.array([0, 0, 0, 1]), 1, 0.1, 2,
        ...         np.random.default_rng(0))
        >>> W.shape
        (2, 2)
    """
    W = W.copy()
    classes = W.shape[1]
    Xa = augment(X)
    Y = np.eye(classes)[y]
    n = len(y)
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            logits = Xa[idx] @ W
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            grad = Xa[idx].T @ (p - Y[idx]) / len(idx) + L2 * W
            W -= lr * grad
    return W


__all__ = ["accuracy", "augment", "log_loss", "probabilities", "sgd"]
