namespace DiMml.Calibration;

/// <summary>
/// Temperature scaling (Guo et al., 2017) without any tensor library, for the core and for fusion over any trainers' scores: one
/// temperature τ per branch such that <c>softmax(z / τ)</c> minimises the negative log-likelihood of held-out labels. The NLL
/// is convex in β = 1/τ, so a golden-section search over log β finds the minimum. Float64 throughout; held-out sets are small.
/// </summary>
internal static class TemperatureSearch
{
    /// <summary>Smallest temperature the search considers.</summary>
    public const double MinTemperature = 0.01;

    /// <summary>Largest temperature the search considers (close to a uniform distribution for typical logits).</summary>
    public const double MaxTemperature = 100.0;

    private const int Iterations = 60;
    private static readonly double InverseGolden = (Math.Sqrt(5) - 1) / 2;

    /// <summary>Fits one temperature per branch.</summary>
    /// <param name="branchLogits">K arrays of held-out logits, row-major <c>[n, classes]</c>, all finite.</param>
    /// <param name="classes">Classes C.</param>
    /// <param name="labels">Held-out labels in [0, C).</param>
    /// <param name="weights">Example weights (finite, >= 0, not all 0) of a weighted NLL; null when every row weighs 1.</param>
    /// <returns>K temperatures in [<see cref="MinTemperature"/>, <see cref="MaxTemperature"/>].</returns>
    public static double[] Fit(IReadOnlyList<double[]> branchLogits, int classes, IReadOnlyList<long> labels,
        IReadOnlyList<double>? weights = null)
    {
        Check(branchLogits, classes, labels, weights);
        return branchLogits.Select(logits =>
        {
            var (lo, hi) = (Math.Log(1 / MaxTemperature), Math.Log(1 / MinTemperature));
            for (var i = 0; i < Iterations; i++)
            {
                var a = hi - InverseGolden * (hi - lo);
                var b = lo + InverseGolden * (hi - lo);
                if (NegativeLogLikelihood(logits, classes, labels, weights, Math.Exp(a))
                    <= NegativeLogLikelihood(logits, classes, labels, weights, Math.Exp(b)))
                {
                    hi = b;
                }
                else
                {
                    lo = a;
                }
            }

            return Math.Clamp(1 / Math.Exp((lo + hi) / 2), MinTemperature, MaxTemperature);
        }).ToArray();
    }

    /// <summary>Mean (weighted) NLL of <paramref name="labels"/> under <c>softmax(β z)</c>.</summary>
    /// <param name="logits">Row-major <c>[n, classes]</c> logits.</param>
    /// <param name="classes">Classes C.</param>
    /// <param name="labels">Labels in [0, C).</param>
    /// <param name="weights">Example weights; null when every row weighs 1.</param>
    /// <param name="beta">Inverse temperature β.</param>
    public static double NegativeLogLikelihood(double[] logits, int classes, IReadOnlyList<long> labels, IReadOnlyList<double>? weights,
        double beta)
    {
        double total = 0, weightSum = 0;
        for (var row = 0; row < labels.Count; row++)
        {
            var z = logits.AsSpan(row * classes, classes);
            var max = double.NegativeInfinity;
            foreach (var v in z)
            {
                max = Math.Max(max, beta * v);
            }

            double sum = 0;
            foreach (var v in z)
            {
                sum += Math.Exp(beta * v - max);
            }

            var w = weights?[row] ?? 1.0;
            total += w * (max + Math.Log(sum) - beta * z[(int)labels[row]]);
            weightSum += w;
        }

        return total / weightSum;
    }

    private static void Check(IReadOnlyList<double[]> branchLogits, int classes, IReadOnlyList<long> labels, IReadOnlyList<double>? weights)
    {
        ArgumentNullException.ThrowIfNull(branchLogits);
        ArgumentNullException.ThrowIfNull(labels);
        if (branchLogits.Count == 0 || labels.Count == 0)
        {
            throw new ArgumentException("Temperature scaling needs at least one branch and one held-out row.", nameof(branchLogits));
        }

        if (branchLogits.Any(l => l.Length != (long)labels.Count * classes) || labels.Any(y => y < 0 || y >= classes))
        {
            throw new ArgumentException($"Give {labels.Count} x {classes} logits per branch and labels in [0, {classes}).",
                nameof(branchLogits));
        }

        if (weights is not null && (weights.Count != labels.Count || weights.Any(w => !double.IsFinite(w) || w < 0) || weights.Sum() <= 0))
        {
            throw new ArgumentException("Give one finite, non-negative example weight per row, not all 0.", nameof(weights));
        }
    }
}
