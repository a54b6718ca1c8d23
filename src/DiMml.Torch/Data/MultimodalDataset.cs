using static TorchSharp.torch;

namespace DiMml.Torch.Data;

/// <summary>
/// Rows of several modalities with class labels, held as CPU tensors: one <c>[n, F_m]</c> float tensor per
/// modality, an <c>[n]</c> int64 label tensor with values in <c>0..ClassCount-1</c> and, for weighted data, an <c>[n]</c>
/// float32 tensor of example weights (all &gt; 0): a row of weight w counts in every loss and held-out choice as w copies of it.
/// </summary>
public sealed class MultimodalDataset : IBatchSource, IDisposable
{
    private readonly Tensor[] modalities;
    private readonly bool ownsTensors;

    private MultimodalDataset(Tensor[] modalities, Tensor labels, int classCount, bool ownsTensors, Tensor? weights = null)
    {
        this.modalities = modalities;
        Labels = labels;
        Weights = weights;
        ClassCount = classCount;
        this.ownsTensors = ownsTensors;
    }

    /// <inheritdoc />
    public int Count => (int)Labels.shape[0];

    /// <inheritdoc />
    public int ModalityCount => modalities.Length;

    /// <inheritdoc />
    public int ClassCount { get; }

    /// <inheritdoc />
    public IReadOnlyList<int> FeatureSizes => modalities.Select(t => (int)t.shape[1]).ToArray();

    /// <summary>Labels <c>[n]</c> (int64).</summary>
    public Tensor Labels { get; }

    /// <summary>Example weights <c>[n]</c> (float32, all &gt; 0); null when every row weighs 1.</summary>
    public Tensor? Weights { get; }

    /// <inheritdoc />
    public bool IsWeighted => Weights is not null;

    /// <summary>The features of modality <paramref name="modality"/>, <c>[n, F_m]</c>.</summary>
    /// <param name="modality">Modality index.</param>
    public Tensor Features(int modality) => modalities[modality];

    /// <summary>Builds a dataset from row-major arrays (copied).</summary>
    /// <param name="modalities">Per modality, <c>n · F_m</c> values, row after row.</param>
    /// <param name="featureSizes">Per modality, the row length F_m.</param>
    /// <param name="labels">Per row, the class index in <c>0..classCount-1</c>.</param>
    /// <param name="classCount">Number of classes C (at least 2).</param>
    /// <param name="weights">Per row, its example weight (finite, &gt; 0); null for none.</param>
    public static MultimodalDataset FromArrays(IReadOnlyList<float[]> modalities, IReadOnlyList<int> featureSizes,
        IReadOnlyList<int> labels, int classCount, IReadOnlyList<float>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(modalities);
        ArgumentNullException.ThrowIfNull(featureSizes);
        ArgumentNullException.ThrowIfNull(labels);
        var rows = labels.Count;
        if (modalities.Count == 0 || modalities.Count != featureSizes.Count)
        {
            throw new ArgumentException("Give one array and one feature size per modality (at least one modality).", nameof(modalities));
        }

        for (var m = 0; m < modalities.Count; m++)
        {
            if (featureSizes[m] <= 0 || modalities[m].Length != (long)rows * featureSizes[m])
            {
                throw new ArgumentException(
                    $"Modality {m} has {modalities[m].Length} values; expected {rows} rows × {featureSizes[m]} features = " +
                        $"{(long)rows * featureSizes[m]}.",
                    nameof(modalities));
            }
        }

        var weightTensor = weights is null ? null : WeightTensor(weights, rows);
        var tensors = modalities.Select((data, m) => tensor(data, [rows, featureSizes[m]])).ToArray();
        return new MultimodalDataset(tensors, LabelTensor(labels, classCount), classCount, ownsTensors: true, weightTensor);
    }

    /// <summary>Wraps existing tensors without copying; the caller keeps ownership and disposes them.</summary>
    /// <param name="modalities">Per modality, an <c>[n, F_m]</c> float tensor.</param>
    /// <param name="labels">An <c>[n]</c> int64 tensor of class indices.</param>
    /// <param name="classCount">Number of classes C (at least 2).</param>
    /// <param name="weights">An <c>[n]</c> float32 tensor of example weights (&gt; 0); null for none.</param>
    public static MultimodalDataset FromTensors(IReadOnlyList<Tensor> modalities, Tensor labels, int classCount, Tensor? weights = null)
    {
        ArgumentNullException.ThrowIfNull(modalities);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        if (modalities.Count == 0 || modalities.Any(t => t.dim() != 2 || t.shape[0] != labels.shape[0]))
        {
            throw new ArgumentException("Each modality must be a 2-D tensor with one row per label.", nameof(modalities));
        }

        ExampleWeights.Check(weights, labels.shape[0], nameof(weights));

        return new MultimodalDataset(modalities.ToArray(), labels, classCount, ownsTensors: false, weights);
    }

    /// <summary>A view on a subset of the modalities (shares the tensors; disposing the view frees nothing).</summary>
    /// <param name="modalityIndices">The modalities to keep, in the order wanted.</param>
    public MultimodalDataset SelectModalities(params int[] modalityIndices) =>
        new(modalityIndices.Select(m => modalities[m]).ToArray(), Labels, ClassCount, ownsTensors: false, Weights);

    /// <summary>The rows at <paramref name="rows"/> of every modality, moved to <paramref name="device"/>.</summary>
    /// <param name="rows">Row indices (int64, on the CPU).</param>
    /// <param name="device">Target device.</param>
    public Batch Gather(Tensor rows, Device device) =>
        new(modalities.Select(t => t.index_select(0, rows).to(device)).ToArray(), Labels.index_select(0, rows).to(device),
            Weights?.index_select(0, rows).to(device));

    /// <inheritdoc />
    public IEnumerable<Batch> Batches(Tensor order, int batchSize, Device device)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var rows = order.shape[0];
        for (long start = 0; start < rows; start += batchSize)
        {
            yield return Gather(order.narrow(0, start, Math.Min(batchSize, rows - start)), device);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!ownsTensors)
        {
            return;
        }

        foreach (var t in modalities)
        {
            t.Dispose();
        }

        Labels.Dispose();
        Weights?.Dispose();
    }

    private static Tensor WeightTensor(IReadOnlyList<float> weights, int rows)
    {
        if (weights.Count != rows)
        {
            throw new ArgumentException($"Got {weights.Count} weights for {rows} rows.", nameof(weights));
        }

        for (var i = 0; i < weights.Count; i++)
        {
            if (!(float.IsFinite(weights[i]) && weights[i] > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(weights), $"Weight {weights[i]} at row {i} is not a finite number > 0.");
            }
        }

        return tensor(weights.ToArray());
    }

    private static Tensor LabelTensor(IReadOnlyList<int> labels, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= classCount)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} at row {i} is outside 0..{classCount - 1}.");
            }
        }

        return tensor(labels.Select(y => (long)y).ToArray());
    }
}
