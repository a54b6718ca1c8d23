using DiMml.Torch.Data;
using DiMml.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>Builds the network every procedure trains from the options and the data's shapes.</summary>
internal static class NetworkBuilder
{
    public static MultimodalNetwork Build(TrainerOptions options, IBatchSource data, FusionHeadKind fusion, Device device)
    {
        var encoders = options.Modalities.Select((spec, m) => spec.CreateEncoder(data.FeatureSizes[m], options.EmbeddingSize)).ToArray();
        return new MultimodalNetwork(encoders, data.ClassCount, fusion, options.RunSeed).to(device);
    }

    public static IEnumerable<Parameter> EncoderParameters(MultimodalNetwork network) =>
        network.Encoders.SelectMany(e => e.parameters());

    /// <summary>Disposes the network when building the model fails, so a failed run leaks nothing.</summary>
    public static T DisposeOnFailure<T>(MultimodalNetwork network, Func<T> train)
    {
        try
        {
            return train();
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
