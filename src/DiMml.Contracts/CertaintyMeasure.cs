namespace DiMml;

/// <summary>How certain a branch is about a row, from its class probabilities p.</summary>
public enum CertaintyMeasure
{
    /// <summary><c>max_j p_j</c>: the paper's measure (default).</summary>
    MaxProbability,

    /// <summary><c>1 − H(p) / log C</c>: 1 for a one-hot prediction, 0 for a uniform one.</summary>
    Entropy,

    /// <summary><c>p_(1) − p_(2)</c>: the gap between the two most probable classes.</summary>
    Margin,
}
