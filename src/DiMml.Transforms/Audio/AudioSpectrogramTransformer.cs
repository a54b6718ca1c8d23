using DiMml.MLNet.Scoring;
using Microsoft.ML;

namespace DiMml;

/// <summary>
/// Fitted WAV-to-spectrogram transform (see <see cref="AudioSpectrogramEstimator"/>). It saves with
/// <c>mlContext.Model.Save</c>; a serving app that loads it references DiMml.Serving (no TorchSharp) and first calls
/// <c>mlContext.ComponentCatalog.RegisterAssembly(typeof(DiMml.Serving.Audio.AudioDecodeContracts).Assembly)</c>.
/// </summary>
public sealed class AudioSpectrogramTransformer : OnnxScoredTransformer
{
    internal AudioSpectrogramTransformer(ITransformer scoring, OnnxModelFile graph, byte[] standaloneGraph, int bins, int frames)
        : base(scoring, graph, standaloneGraph)
    {
        Bins = bins;
        Frames = frames;
    }

    /// <summary>Frequency rows of the spectrogram (the modality Shape's height).</summary>
    public int Bins { get; }

    /// <summary>Time frames of the spectrogram (the modality Shape's width).</summary>
    public int Frames { get; }
}
