namespace DiMml;

/// <summary>
/// Per-channel standardisation of a shaped input, <c>(x − Mean[c]) / Std[c]</c> for every plane of channel c in every
/// frame, applied by the encoder (so at training, in the effective-dimension pass and in the exported ONNX graph alike)
/// after any training-time augmentation, as the DI-MML authors' loaders normalise after cropping.
/// </summary>
/// <param name="Mean">One mean per channel.</param>
/// <param name="Std">One standard deviation per channel (positive).</param>
public sealed record ChannelNormalization(IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
{
    /// <summary>The ImageNet statistics the authors use for RGB frames in [0, 1]: mean (0.485, 0.456, 0.406),
    /// std (0.229, 0.224, 0.225).</summary>
    public static ChannelNormalization ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>Throws an <see cref="ArgumentException"/> unless there is one finite mean and one positive finite
    /// standard deviation per channel of <paramref name="shape"/>.</summary>
    /// <param name="shape">The modality's layout.</param>
    /// <param name="modality">The modality's name, for the message.</param>
    public void Validate(ModalityShape shape, string modality)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (Mean.Count != shape.Channels || Std.Count != shape.Channels)
        {
            throw new ArgumentException(
                $"Normalization of modality '{modality}' has {Mean.Count} mean(s) and {Std.Count} std(s) for {shape.Channels} " +
                    $"channel(s); give one of each per channel.");
        }

        if (Mean.Any(m => !float.IsFinite(m)) || Std.Any(s => !float.IsFinite(s) || s <= 0))
        {
            throw new ArgumentException($"Normalization of modality '{modality}' needs finite means and finite standard deviations > 0.");
        }
    }
}
