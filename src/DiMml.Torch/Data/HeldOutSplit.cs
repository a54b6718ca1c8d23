using DiMml.Torch.Runtime;
using static TorchSharp.torch;

namespace DiMml.Torch.Data;

/// <summary>
/// A seeded stratified split of a source into the rows training uses and the rows held out for calibration: each class
/// gives the same fraction (rounded, at least one row for a class with two or more), and the split depends only on the
/// labels and the seed.
/// </summary>
public sealed class HeldOutSplit : IDisposable
{
    private readonly RowSubset train;
    private readonly RowSubset heldOut;

    private HeldOutSplit(RowSubset train, RowSubset heldOut)
    {
        this.train = train;
        this.heldOut = heldOut;
    }

    /// <summary>The rows training uses.</summary>
    public IBatchSource Train => train;

    /// <summary>The held-out rows.</summary>
    public IBatchSource HeldOut => heldOut;

    /// <summary>Splits <paramref name="source"/>; the subsets read through it, so it must outlive the split. A source that
    /// is not in memory is read once for its labels.</summary>
    /// <param name="source">All training rows.</param>
    /// <param name="fraction">Share of each class held out, in (0, 0.5].</param>
    /// <param name="seed">Seed of the split.</param>
    /// <param name="cancellation">Checked before every batch when the labels have to be read.</param>
    public static HeldOutSplit Stratified(IBatchSource source, double fraction, long seed, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!(fraction > 0 && fraction <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The held-out fraction must be in (0, 0.5].");
        }

        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var labels = Labels(source, cancellation);
        using var generator = new Generator(BatchOrder.Mix(seed, int.MaxValue));
        var shuffled = randperm(labels.shape[0], generator: generator);

        // A stable sort by label of a random permutation puts each class's rows in random order; a row's rank inside its
        // class then decides its side.
        var byClass = shuffled.index_select(0, labels.index_select(0, shuffled).sort(stable: true).Indices);
        var sortedLabels = labels.index_select(0, byClass);
        var counts = bincount(labels, minlength: source.ClassCount);
        var starts = counts.cumsum(0) - counts;
        var rank = ScalarMath.Range(labels.shape[0]) - starts.index_select(0, sortedLabels);
        var quota = counts.to(ScalarType.Float64).mul(scalars.Of(fraction)).round().to(ScalarType.Int64)
            .maximum(counts.ge(scalars.Of(2L)).to(ScalarType.Int64));
        var held = rank.lt(quota.index_select(0, sortedLabels));
        var heldRows = byClass.masked_select(held).sort().Values;
        var trainRows = byClass.masked_select(held.logical_not()).sort().Values;
        if (heldRows.shape[0] == 0 || trainRows.shape[0] == 0)
        {
            throw new ArgumentException(
                $"Holding out {fraction:P0} of {labels.shape[0]} rows leaves one side empty; give more rows or a ValidationSet.",
                    nameof(source));
        }

        return new HeldOutSplit(new RowSubset(source, trainRows), new RowSubset(source, heldRows));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        train.Dispose();
        heldOut.Dispose();
    }

    // In-memory sources hold their labels; others are read once in storage order.
    private static Tensor Labels(IBatchSource source, CancellationToken cancellation)
    {
        if (source is MultimodalDataset dataset)
        {
            return dataset.Labels.alias();
        }

        var parts = new List<Tensor>();
        using var order = BatchOrder.Sequential(source.Count);
        foreach (var (inputs, labels) in source.Batches(order, 4096, CPU))
        {
            cancellation.ThrowIfCancellationRequested();
            parts.Add(labels);
            foreach (var input in inputs)
            {
                input.Dispose();
            }
        }

        return cat(parts, 0);
    }
}
