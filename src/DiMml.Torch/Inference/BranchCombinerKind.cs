namespace DiMml.Torch.Inference;

/// <summary>How a <see cref="BranchCombiner"/> turns the branches' calibrated log-probabilities into fused logits.</summary>
public enum BranchCombinerKind
{
    /// <summary>Per-class certainty weighting: <c>z_c = Σ_k w_k α_kc log p_kc + b_c</c>, with the per-row certainty weights
    /// <c>w_k</c> and one learnt factor per branch and class. α = 1, b = 0 is the plain calibrated weighting.</summary>
    PerClass,

    /// <summary>A stacked combiner: multinomial logistic regression <c>z = W · [log p_1, ..., log p_K] + b</c> over every
    /// branch's log-probabilities, for rows where every branch is present (other rows keep the certainty-weighted sum).
    /// W = block identity, b = 0 is the product of the calibrated branches.</summary>
    Stacked,
}
