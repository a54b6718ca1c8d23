using DiMml.Torch.Data;
using DiMml.Torch.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>A dataset's rows encoded: per modality the features <c>[n, D]</c>, the labels <c>[n]</c> and the example weights
/// <c>[n]</c> (null when unweighted).</summary>
internal sealed record EncodedRows(Tensor[] Features, Tensor Labels, Tensor? Weights)
{
    /// <summary>The rows as a dataset over the same tensors (the caller keeps ownership).</summary>
    public MultimodalDataset ToDataset(int classCount) => MultimodalDataset.FromTensors(Features, Labels, classCount, Weights);

    /// <summary>The rows at <paramref name="rows"/>.</summary>
    public EncodedRows Select(Tensor rows) =>
        new(Features.Select(f => f.index_select(0, rows)).ToArray(), Labels.index_select(0, rows),
            Weights?.index_select(0, rows.to(Weights.device)));
}

/// <summary>Encodes a whole dataset with the encoders in eval mode and without gradient.</summary>
internal static class FeatureExtraction
{
    /// <summary>Per modality, the features <c>[n, D]</c> of every row in storage order, the labels <c>[n]</c> and weights, on
    /// <paramref name="device"/>. Leaves the network in eval mode; checks <paramref name="cancellation"/> before every batch.</summary>
    public static EncodedRows Encode(MultimodalNetwork network, IBatchSource data, Device device,
        CancellationToken cancellation = default)
    {
        const int batchSize = 1024;
        network.eval();
        using var guard = no_grad();
        using var scope = NewDisposeScope();
        var chunks = Enumerable.Range(0, data.ModalityCount).Select(_ => new List<Tensor>()).ToArray();
        var labels = new List<Tensor>();
        var weights = new List<Tensor>();
        using var order = BatchOrder.Sequential(data.Count);
        BatchOrder.ForEachScoped(data.Batches(order, batchSize, device), batch =>
        {
            cancellation.ThrowIfCancellationRequested();
            var features = network.Encode(batch.Inputs);
            for (var m = 0; m < features.Length; m++)
            {
                chunks[m].Add(features[m].MoveToOuterDisposeScope());
            }

            labels.Add(batch.Labels.MoveToOuterDisposeScope());
            if (batch.Weights is { } w)
            {
                weights.Add(w.MoveToOuterDisposeScope());
            }
        });

        return new(chunks.Select(c => cat(c, 0).MoveToOuterDisposeScope()).ToArray(), cat(labels, 0).MoveToOuterDisposeScope(),
            data.IsWeighted ? cat(weights, 0).MoveToOuterDisposeScope() : null);
    }
}
