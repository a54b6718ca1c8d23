using DiMml.Torch.Runtime;
using static TorchSharp.torch;

namespace DiMml.Torch.Losses;

/// <summary>
/// Dimension-decoupled unidirectional contrastive loss. For every ordered pair (teacher s, student t)
/// with a non-empty transfer set <c>D = D(s→t)</c>, the student's features on <c>D</c> are contrasted
/// against the detached teacher's features of the whole batch:
/// <c>L(s→t) = CE(f_t[:, D] · sg(f_s[:, D])ᵀ / τ, 0..B-1)</c>, and
/// <c>L_DUC = Σ_t Σ_{s≠t} L(s→t) / (N − 1)</c> (for two modalities exactly the reference's sum of both directions).
/// </summary>
/// <remarks>
/// The log-softmax form equals the reference's <c>−log(exp(s_ii/τ) / Σ_j exp(s_ij/τ))</c> wherever that is
/// finite and stays finite where it overflows. Labels are not used. The teacher side never receives gradient. With example
/// weights, row j counts w_j times among the contrasted teacher rows and each anchor's term w_i times in the mean:
/// <c>Σ_i w_i (−s_ii/τ + log Σ_j w_j exp(s_ij/τ)) / Σ_i w_i</c>, exactly the loss of a batch with duplicated rows.
/// </remarks>
public sealed class DucLoss
{
    /// <summary>Creates the loss with contrast temperature <paramref name="temperature"/>.</summary>
    /// <param name="temperature">τ &gt; 0 that divides the dot products (reference: 10 for AVE/UCF101, 50 for CREMA-D/ModelNet40).</param>
    public DucLoss(double temperature = 10.0)
    {
        if (!double.IsFinite(temperature) || temperature <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The DUC temperature must be a finite number > 0 " +
                "(default 10).");
        }

        Temperature = temperature;
    }

    /// <summary>The temperature τ.</summary>
    public double Temperature { get; }

    /// <summary>Computes <c>L_DUC</c> over all ordered modality pairs; a scalar, zero when every transfer set is empty.</summary>
    /// <param name="features">One <c>[B, D]</c> feature tensor per modality, in the order of <paramref name="dimensions"/>.</param>
    /// <param name="dimensions">The effective-dimension sets that define each D(s→t).</param>
    /// <param name="weights">Example weights <c>[B]</c>; null when every row weighs 1.</param>
    public Tensor Forward(IReadOnlyList<Tensor> features, EffectiveDimensions dimensions, Tensor? weights = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(dimensions);
        return Sum(features, dimensions, weights, student: null);
    }

    /// <summary>The terms of <c>L_DUC</c> whose student is <paramref name="student"/>: <c>Σ_{s≠t} L(s→t) / (N − 1)</c> for
    /// <c>t = student</c>. They are the only terms that send gradient to that modality's encoder, and summed over the students
    /// they are <see cref="Forward"/>; this lets each modality's loss be back-propagated on its own.</summary>
    /// <param name="features">One <c>[B, D]</c> feature tensor per modality; only the student's needs a graph.</param>
    /// <param name="dimensions">The effective-dimension sets that define each D(s→t).</param>
    /// <param name="student">The student modality t.</param>
    /// <param name="weights">Example weights <c>[B]</c>; null when every row weighs 1.</param>
    public Tensor ForStudent(IReadOnlyList<Tensor> features, EffectiveDimensions dimensions, int student, Tensor? weights = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentOutOfRangeException.ThrowIfNegative(student);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(student, dimensions.ModalityCount);
        return Sum(features, dimensions, weights, student);
    }

    private Tensor Sum(IReadOnlyList<Tensor> features, EffectiveDimensions dimensions, Tensor? weights, int? student)
    {
        if (features.Count != dimensions.ModalityCount)
        {
            throw new ArgumentException($"Got {features.Count} feature tensors for {dimensions.ModalityCount} modalities.",
                nameof(features));
        }

        using var scope = NewDisposeScope();
        var total = zeros(Array.Empty<long>(), device: features[0].device);
        foreach (var (teacher, t) in dimensions.OrderedPairs().Where(p => student is null || p.Student == student))
        {
            var transfer = dimensions.Transfer(teacher, t);
            if (transfer.Count == 0)
            {
                continue;
            }

            using var index = tensor(transfer.Select(d => (long)d).ToArray(), device: features[0].device);
            total = ScalarMath.Add(total, Pair(features[t].index_select(1, index), features[teacher].index_select(1, index), weights));
        }

        return ScalarMath.Divide(total, features.Count - 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The contrast of one direction on already selected dimensions: student rows against the detached teacher rows.
    /// </summary>
    /// <param name="student">Student features <c>[B, |D|]</c>; receives the gradient.</param>
    /// <param name="teacher">Teacher features <c>[B, |D|]</c>; detached here.</param>
    /// <param name="weights">Example weights <c>[B]</c>; null when every row weighs 1.</param>
    public Tensor Pair(Tensor student, Tensor teacher, Tensor? weights = null)
    {
        using var scope = NewDisposeScope();
        var logits = ScalarMath.Divide(student.matmul(teacher.detach().t()), Temperature);
        var targets = ScalarMath.Range(student.shape[0], student.device);
        if (weights is null)
        {
            return nn.functional.cross_entropy(logits, targets).MoveToOuterDisposeScope();
        }

        // log w_j on the columns weights the teachers; adding log w_i back leaves the positive pair itself unweighted.
        var logWeights = weights.log();
        var weighted = ScalarMath.Add(logits, logWeights.unsqueeze(0));
        var perTeacher = nn.functional.cross_entropy(weighted, targets, reduction: nn.Reduction.None);
        var perRow = ScalarMath.Add(perTeacher, logWeights);
        return WeightedLoss.Mean(perRow, weights).MoveToOuterDisposeScope();
    }
}
