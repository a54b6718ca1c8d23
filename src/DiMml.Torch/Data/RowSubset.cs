using static TorchSharp.torch;

namespace DiMml.Torch.Data;

/// <summary>Some rows of another source, served in the parent's own way (in memory or streamed); owns only its index.</summary>
internal sealed class RowSubset(IBatchSource parent, Tensor rows) : IBatchSource, IDisposable
{
    private readonly Tensor rows = rows.DetachFromDisposeScope();

    public int Count => (int)rows.shape[0];

    public int ModalityCount => parent.ModalityCount;

    public int ClassCount => parent.ClassCount;

    public IReadOnlyList<int> FeatureSizes => parent.FeatureSizes;

    public bool IsWeighted => parent.IsWeighted;

    public IEnumerable<Batch> Batches(Tensor order, int batchSize, Device device)
    {
        ArgumentNullException.ThrowIfNull(order);
        // Created at the first MoveNext, inside the caller's per-batch scope: detached so it outlives that batch.
        using var parentOrder = rows.index_select(0, order).DetachFromDisposeScope();
        foreach (var batch in parent.Batches(parentOrder, batchSize, device))
        {
            yield return batch;
        }
    }

    public void Dispose() => rows.Dispose();
}
