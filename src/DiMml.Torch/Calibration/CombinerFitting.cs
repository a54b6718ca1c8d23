using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Losses;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DiMml.Torch.Calibration;

/// <summary>
/// Fits a <see cref="BranchCombiner"/> on held-out rows: mean NLL plus an L2 penalty <c>s·‖θ − θ₀‖²</c> that pulls the
/// weights towards the combination that needs no fitting (α = 1: the calibrated weighting; W = block identity: the product
/// of the calibrated branches) and the biases towards 0. The strength s is chosen by inner cross-validation on the given
/// rows (least held-out NLL). The problem is convex and small (at most K·C² + C parameters); L-BFGS with a backtracking line
/// search solves it deterministically in float64. A stacked fit costs O(n·K·C²) per evaluation: fine for tens of classes,
/// slow for hundreds.
/// </summary>
public static class CombinerFitting
{
    /// <summary>The L2 strengths the inner cross-validation chooses from.</summary>
    public static IReadOnlyList<double> Strengths { get; } = [1e-4, 1e-3, 1e-2, 1e-1];

    /// <summary>Folds of the inner cross-validation.</summary>
    public const int InnerFolds = 3;

    private const int MaxIterations = 200;
    private const int HistorySize = 10;
    private const double Tolerance = 1e-9;

    /// <summary>Fits the combiner, choosing the L2 strength by inner cross-validation.</summary>
    /// <param name="kind">Per-class weighting or stacked combiner.</param>
    /// <param name="logProbabilities"><c>[n, K, C]</c> calibrated log-probabilities of every branch (all present).</param>
    /// <param name="certaintyWeights"><c>[n, K]</c> the rows' certainty weights (used by the per-class weighting).</param>
    /// <param name="labels"><c>[n]</c> labels (int64).</param>
    /// <param name="seed">Seed of the inner folds.</param>
    /// <param name="exampleWeights"><c>[n]</c> example weights of a weighted NLL; null when every row weighs 1.</param>
    public static BranchCombiner Fit(BranchCombinerKind kind, Tensor logProbabilities, Tensor certaintyWeights, Tensor labels, int seed,
        Tensor? exampleWeights = null)
    {
        ArgumentNullException.ThrowIfNull(logProbabilities);
        ArgumentNullException.ThrowIfNull(certaintyWeights);
        ArgumentNullException.ThrowIfNull(labels);
        var strength = ChooseStrength(kind, logProbabilities, certaintyWeights, labels, seed, exampleWeights);
        return FitWith(kind, logProbabilities, certaintyWeights, labels, strength, exampleWeights);
    }

    /// <summary>Fits the combiner at one L2 strength.</summary>
    /// <param name="kind">Per-class weighting or stacked combiner.</param>
    /// <param name="logProbabilities"><c>[n, K, C]</c> calibrated log-probabilities.</param>
    /// <param name="certaintyWeights"><c>[n, K]</c> certainty weights.</param>
    /// <param name="labels"><c>[n]</c> labels.</param>
    /// <param name="strength">L2 strength s ≥ 0.</param>
    /// <param name="exampleWeights"><c>[n]</c> example weights of a weighted NLL; null when every row weighs 1.</param>
    public static BranchCombiner FitWith(BranchCombinerKind kind, Tensor logProbabilities, Tensor certaintyWeights, Tensor labels,
        double strength, Tensor? exampleWeights = null)
    {
        ArgumentNullException.ThrowIfNull(logProbabilities);
        ArgumentNullException.ThrowIfNull(certaintyWeights);
        ArgumentNullException.ThrowIfNull(labels);
        if (!double.IsFinite(strength) || strength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(strength), strength, "The L2 strength must be a finite number >= 0.");
        }

        var rows = logProbabilities.shape[0];
        if (logProbabilities.dim() != 3 || certaintyWeights.shape is not [var n, var k0] || n != rows || k0 != logProbabilities.shape[1]
            || labels.shape is not [var m] || m != rows)
        {
            throw new ArgumentException("Give log-probabilities [n, K, C], certainty weights [n, K] and labels [n] for the same rows.",
                nameof(logProbabilities));
        }

        ExampleWeights.Check(exampleWeights, rows, nameof(exampleWeights));
        using var scope = NewDisposeScope();
        var (k, c) = ((int)logProbabilities.shape[1], (int)logProbabilities.shape[2]);
        var lp = logProbabilities.to(ScalarType.Float64).detach();
        var cw = certaintyWeights.to(ScalarType.Float64).detach();
        var y = labels.to(ScalarType.Int64);
        using var prior = Prior(kind, k, c, lp.device);
        using var features = BranchCombiner.Features(kind, lp, cw);
        var start = prior.cpu().data<double>().Concat(new double[c]).ToArray();
        var classes = y.cpu().data<long>().ToArray();
        if (classes.Any(label => label < 0 || label >= c))
        {
            throw new ArgumentException($"Labels must be class indices in 0..{c - 1}.", nameof(labels));
        }

        var rowWeights = exampleWeights?.to(ScalarType.Float64).cpu().data<double>().ToArray();
        var problem = new Problem(kind, features.cpu().data<double>().ToArray(), classes, c, start, strength) { RowWeights = rowWeights };
        var values = Minimise(problem.Evaluate, start);
        var size = values.Length - c;
        return new BranchCombiner(kind, k, c, values[..size], values[size..]);
    }

    // The penalised mean NLL of a combiner and its gradient, in managed code: the fused logits are linear in the parameters,
    // so dL/dz = w_i (softmax(z) − onehot(y)) / Σw (w_i = 1 without example weights) and the gradient is one more product.
    // A fit takes a few thousand evaluations; as libtorch calls they would leave as many short-lived native objects to the
    // finalizer, and TorchSharp's implicit Scalars are not kept alive across the native call (a finalised one failed a fit with
    // "toDouble" under that load).
    // Stacked: features X [n, K·C], weights W [K·C, C]. Per-class: features A [n, K, C] (certainty-weighted), factors α [K, C].
    private sealed class Problem(BranchCombinerKind kind, double[] features, long[] labels, int classes, double[] prior, double strength)
    {
        private readonly int rows = labels.Length;
        private readonly int width = features.Length / labels.Length;

        /// <summary>Example weight of each row; null when every row weighs 1.</summary>
        public double[]? RowWeights { get; init; }

        public (double Value, double[] Gradient) Evaluate(double[] theta)
        {
            var gradient = new double[theta.Length];
            var bias = theta.Length - classes;
            var logits = new double[classes];
            var loss = 0.0;
            var totalWeight = RowWeights?.Sum() ?? rows;
            for (var i = 0; i < rows; i++)
            {
                var weight = RowWeights?[i] ?? 1.0;
                var x = features.AsSpan(i * width, width);
                Logits(x, theta, bias, logits);
                var max = logits.Max();
                var total = 0.0;
                foreach (var z in logits)
                {
                    total += Math.Exp(z - max);
                }

                var logTotal = max + Math.Log(total);
                loss += weight * (logTotal - logits[labels[i]]);
                for (var c = 0; c < classes; c++)
                {
                    var residual = (Math.Exp(logits[c] - logTotal) - (c == labels[i] ? 1 : 0)) * weight / totalWeight;
                    gradient[bias + c] += residual;
                    AddGradient(x, c, residual, gradient);
                }
            }

            var penalty = 0.0;
            for (var j = 0; j < theta.Length; j++)
            {
                var offset = theta[j] - prior[j];
                penalty += offset * offset;
                gradient[j] += 2 * strength * offset;
            }

            return (loss / totalWeight + strength * penalty, gradient);
        }

        private void Logits(ReadOnlySpan<double> x, double[] theta, int bias, double[] logits)
        {
            for (var c = 0; c < classes; c++)
            {
                var z = theta[bias + c];
                if (kind == BranchCombinerKind.PerClass)
                {
                    for (var k = c; k < width; k += classes)
                    {
                        z += x[k] * theta[k];
                    }
                }
                else
                {
                    for (var d = 0; d < width; d++)
                    {
                        z += x[d] * theta[d * classes + c];
                    }
                }

                logits[c] = z;
            }
        }

        private void AddGradient(ReadOnlySpan<double> x, int c, double residual, double[] gradient)
        {
            if (kind == BranchCombinerKind.PerClass)
            {
                for (var k = c; k < width; k += classes)
                {
                    gradient[k] += x[k] * residual;
                }

                return;
            }

            for (var d = 0; d < width; d++)
            {
                gradient[d * classes + c] += x[d] * residual;
            }
        }
    }

    /// <summary>Mean NLL of <paramref name="labels"/> under the combiner's fused logits.</summary>
    /// <param name="combiner">A fitted combiner.</param>
    /// <param name="logProbabilities"><c>[n, K, C]</c> calibrated log-probabilities.</param>
    /// <param name="certaintyWeights"><c>[n, K]</c> certainty weights.</param>
    /// <param name="labels"><c>[n]</c> labels.</param>
    /// <param name="exampleWeights"><c>[n]</c> example weights; null when every row weighs 1.</param>
    public static double NegativeLogLikelihood(BranchCombiner combiner, Tensor logProbabilities, Tensor certaintyWeights, Tensor labels,
        Tensor? exampleWeights = null)
    {
        ArgumentNullException.ThrowIfNull(combiner);
        ArgumentNullException.ThrowIfNull(logProbabilities);
        using var scope = NewDisposeScope();
        var lp = logProbabilities.to(ScalarType.Float64);
        var w = tensor(combiner.Weights.ToArray(), ScalarType.Float64, lp.device).reshape(combiner.WeightShape);
        var b = tensor(combiner.Bias.ToArray(), ScalarType.Float64, lp.device);
        var logits = BranchCombiner.Logits(combiner.Kind, w, b, lp, certaintyWeights.to(ScalarType.Float64));
        var y = labels.to(ScalarType.Int64);
        return (exampleWeights is null ? F.cross_entropy(logits, y)
            : WeightedLoss.CrossEntropy(logits, y, exampleWeights.to(ScalarType.Float64, lp.device))).item<double>();
    }

    /// <summary>The strength of <see cref="Strengths"/> with the least mean NLL over <see cref="InnerFolds"/> folds of the given
    /// rows (the weakest on a tie).</summary>
    /// <param name="kind">Per-class weighting or stacked combiner.</param>
    /// <param name="logProbabilities"><c>[n, K, C]</c> calibrated log-probabilities.</param>
    /// <param name="certaintyWeights"><c>[n, K]</c> certainty weights.</param>
    /// <param name="labels"><c>[n]</c> labels.</param>
    /// <param name="seed">Seed of the folds.</param>
    /// <param name="exampleWeights"><c>[n]</c> example weights; null when every row weighs 1.</param>
    public static double ChooseStrength(BranchCombinerKind kind, Tensor logProbabilities, Tensor certaintyWeights, Tensor labels, int seed,
        Tensor? exampleWeights = null)
    {
        ArgumentNullException.ThrowIfNull(logProbabilities);
        ArgumentNullException.ThrowIfNull(certaintyWeights);
        ArgumentNullException.ThrowIfNull(labels);
        using var scope = NewDisposeScope();
        var (lp, cw, y) = (logProbabilities.to(ScalarType.Float64), certaintyWeights.to(ScalarType.Float64), labels.to(ScalarType.Int64));
        var rows = y.shape[0];
        var folds = (int)Math.Min(InnerFolds, rows / 2);
        if (folds < 2)
        {
            return Strengths[^1];
        }

        using var fold = Folds.Assign(rows, folds, seed);
        var losses = Strengths.Select(s => Enumerable.Range(0, folds).Average(f =>
        {
            using var step = NewDisposeScope();
            var (fit, held) = Folds.Split(fold, f, lp.device);
            var combiner = FitWith(kind, lp.index_select(0, fit), cw.index_select(0, fit), y.index_select(0, fit), s,
                exampleWeights?.index_select(0, fit.to(exampleWeights.device)));
            return NegativeLogLikelihood(combiner, lp.index_select(0, held), cw.index_select(0, held), y.index_select(0, held),
                exampleWeights?.index_select(0, held.to(exampleWeights.device)));
        })).ToArray();
        return Strengths[Array.IndexOf(losses, losses.Min())];
    }

    private static Tensor Prior(BranchCombinerKind kind, int branches, int classes, Device device) => kind == BranchCombinerKind.PerClass
        ? ones(branches, classes, ScalarType.Float64, device)
        : eye(classes, dtype: ScalarType.Float64, device: device).repeat(branches, 1);

    // Limited-memory BFGS (two-loop recursion, Nocedal & Wright alg. 7.4) with an Armijo backtracking line search: a few
    // dozen iterations on these smooth convex problems.
    private static double[] Minimise(Func<double[], (double Value, double[] Gradient)> evaluate, double[] start)
    {
        var theta = start;
        var (value, gradient) = evaluate(theta);
        var history = new List<(double[] S, double[] Y, double Rho)>();
        for (var i = 0; i < MaxIterations && gradient.Max(Math.Abs) > 1e-9; i++)
        {
            var direction = Direction(gradient, history);
            var slope = Dot(direction, gradient);
            if (slope >= 0)
            {
                history.Clear();
                direction = gradient.Select(g => -g).ToArray();
                slope = -Dot(gradient, gradient);
            }

            (double[] Theta, double Value, double[] Gradient)? accepted = null;
            for (var (step, tries) = (1.0, 0); tries < 40 && accepted is null; step /= 2, tries++)
            {
                var candidate = theta.Select((t, j) => t + step * direction[j]).ToArray();
                var (candidateValue, candidateGradient) = evaluate(candidate);
                if (double.IsFinite(candidateValue) && candidateValue <= value + 1e-4 * step * slope)
                {
                    accepted = (candidate, candidateValue, candidateGradient);
                }
            }

            if (accepted is not { } next)
            {
                break;
            }

            var s = next.Theta.Select((t, j) => t - theta[j]).ToArray();
            var y = next.Gradient.Select((g, j) => g - gradient[j]).ToArray();
            var curvature = Dot(s, y);
            if (curvature > 1e-12)
            {
                history.Add((s, y, 1 / curvature));
                if (history.Count > HistorySize)
                {
                    history.RemoveAt(0);
                }
            }

            var change = value - next.Value;
            (theta, value, gradient) = next;
            if (change < Tolerance * Math.Max(1, Math.Abs(value)))
            {
                break;
            }
        }

        return theta;
    }

    private static double[] Direction(double[] gradient, List<(double[] S, double[] Y, double Rho)> history)
    {
        var q = (double[])gradient.Clone();
        var alphas = new double[history.Count];
        for (var j = history.Count - 1; j >= 0; j--)
        {
            alphas[j] = history[j].Rho * Dot(history[j].S, q);
            Axpy(-alphas[j], history[j].Y, q);
        }

        if (history.Count > 0)
        {
            var (s, y, _) = history[^1];
            var scale = Dot(s, y) / Dot(y, y);
            for (var j = 0; j < q.Length; j++)
            {
                q[j] *= scale;
            }
        }

        for (var j = 0; j < history.Count; j++)
        {
            Axpy(alphas[j] - history[j].Rho * Dot(history[j].Y, q), history[j].S, q);
        }

        return q.Select(v => -v).ToArray();
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var j = 0; j < a.Length; j++)
        {
            sum += a[j] * b[j];
        }

        return sum;
    }

    // q += a · x
    private static void Axpy(double a, double[] x, double[] q)
    {
        for (var j = 0; j < q.Length; j++)
        {
            q[j] += a * x[j];
        }
    }
}
