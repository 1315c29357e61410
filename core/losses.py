"""GRU4Rec training losses on full or sampled score matrices.

Formulas from Hidasi and Karatzoglou, "Recurrent Neural Networks with Top-k
Gains for Session-based Recommendations" (CIKM 2018). In the sampled form a
row i scores M columns: the targets of the mini-batch (column i is row i's
positive) followed by the extra shared negatives.
"""

from __future__ import annotations

from core.tf_runtime import import_tensorflow

tf, keras = import_tensorflow()

EPSILON = 1e-24  # keeps log() finite when every negative outranks the positive
MASKED = -1e9  # logit given to excluded columns before a softmax


def full_cross_entropy(logits, targets):
    """Return per-row cross-entropy of softmax over all items; `logits` are raw scores."""
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits)


def sampled_cross_entropy(scores, column_mask, log_q=None, logq_weight: float = 0.0):
    """Return per-row cross-entropy over the sampled columns; row i's positive is column i.

    `column_mask` [M] is False for columns that must not act as negatives
    (targets of idle slots). With `logq_weight` > 0 each column's score is
    lowered by weight * log(sampling probability), which corrects the bias
    toward popular items that in-batch and popularity sampling introduce.
    """
    logits = scores
    if log_q is not None and logq_weight > 0:
        logits = logits - logq_weight * log_q[None, :]
    logits = tf.where(column_mask[None, :], logits, MASKED)
    batch = tf.shape(scores)[0]
    positives = tf.range(batch)
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=positives, logits=logits)


def _negative_weights(scores, column_mask):
    """Softmax over each row's negatives only: the positive and masked columns get weight 0."""
    batch = tf.shape(scores)[0]
    n_columns = tf.shape(scores)[1]
    is_positive = tf.equal(tf.range(batch)[:, None], tf.range(n_columns)[None, :])
    is_negative = tf.logical_and(tf.logical_not(is_positive), column_mask[None, :])
    masked = tf.where(is_negative, scores, MASKED)
    weights = tf.nn.softmax(masked, axis=1)
    return tf.where(is_negative, weights, 0.0)


def _positive_scores(scores):
    batch = tf.shape(scores)[0]
    return tf.gather(scores, tf.range(batch), batch_dims=1)


def bpr_max(scores, column_mask, bpreg: float):
    """Return per-row BPR-max loss.

    L_i = -log(sum_j s_j * sigmoid(r_i - r_j) + eps) + bpreg * sum_j s_j * r_j^2,
    where j runs over the negatives only and s_j is the softmax of the
    negative scores. The scores should come through an ELU activation.
    """
    weights = _negative_weights(scores, column_mask)
    positive = _positive_scores(scores)[:, None]
    ranking = tf.reduce_sum(weights * tf.sigmoid(positive - scores), axis=1)
    regularisation = tf.reduce_sum(weights * tf.square(scores), axis=1)
    return -tf.math.log(ranking + EPSILON) + bpreg * regularisation


def top1_max(scores, column_mask):
    """Return per-row TOP1-max loss: sum_j s_j * (sigmoid(r_j - r_i) + sigmoid(r_j^2))."""
    weights = _negative_weights(scores, column_mask)
    positive = _positive_scores(scores)[:, None]
    terms = tf.sigmoid(scores - positive) + tf.sigmoid(tf.square(scores))
    return tf.reduce_sum(weights * terms, axis=1)
