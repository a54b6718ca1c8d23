using DiMml.Torch.Data;
using DiMml.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>Encodes a whole dataset with the encoders in eval mode and without gradient.</summary>
internal static class FeatureExtraction
{
    /// <summary>Per modality, the features <c>[n, D]</c> of every row, on <paramref name="device"/>. Leaves the network in eval mode.</summary>
    public static Tensor[] Encode(MultimodalNetwork network, MultimodalDataset data, Device device, int batchSize = 1024)
    {
        network.eval();
        using var guard = no_grad();
        using var scope = NewDisposeScope();
        var chunks = Enumerable.Range(0, data.ModalityCount).Select(_ => new List<Tensor>()).ToArray();
        for (long start = 0; start < data.Count; start += batchSize)
        {
            var rows = arange(start, Math.Min(start + batchSize, data.Count), dtype: ScalarType.Int64);
            var (inputs, _) = data.Gather(rows, device);
            var features = network.Encode(inputs);
            for (var m = 0; m < features.Length; m++)
            {
                chunks[m].Add(features[m]);
            }
        }

        return chunks.Select(c => cat(c, 0).MoveToOuterDisposeScope()).ToArray();
    }
}
