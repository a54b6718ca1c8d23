using DiMml.Torch.Data;
using DiMml.Torch.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>Encodes a whole dataset with the encoders in eval mode and without gradient.</summary>
internal static class FeatureExtraction
{
    /// <summary>Per modality, the features <c>[n, D]</c> of every row in storage order, and the labels <c>[n]</c>, on
    /// <paramref name="device"/>. Leaves the network in eval mode; checks <paramref name="cancellation"/> before every batch.</summary>
    public static (Tensor[] Features, Tensor Labels) Encode(MultimodalNetwork network, IBatchSource data, Device device,
        CancellationToken cancellation = default)
    {
        const int batchSize = 1024;
        network.eval();
        using var guard = no_grad();
        using var scope = NewDisposeScope();
        var chunks = Enumerable.Range(0, data.ModalityCount).Select(_ => new List<Tensor>()).ToArray();
        var labels = new List<Tensor>();
        using var order = BatchOrder.Sequential(data.Count);
        BatchOrder.ForEachScoped(data.Batches(order, batchSize, device), (inputs, y) =>
        {
            cancellation.ThrowIfCancellationRequested();
            var features = network.Encode(inputs);
            for (var m = 0; m < features.Length; m++)
            {
                chunks[m].Add(features[m].MoveToOuterDisposeScope());
            }

            labels.Add(y.MoveToOuterDisposeScope());
        });

        return (chunks.Select(c => cat(c, 0).MoveToOuterDisposeScope()).ToArray(), cat(labels, 0).MoveToOuterDisposeScope());
    }
}
