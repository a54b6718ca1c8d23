using DiMml.Torch.Data;
using DiMml.Torch.Modules;

namespace DiMml.Torch.Training;

/// <summary>One modality of a training run: its name, its encoder's architecture and its training-time augmentation.</summary>
public sealed class ModalitySpec
{
    /// <summary>Creates a spec for modality <paramref name="name"/> with the default MLP encoder.</summary>
    /// <param name="name">Name used in logs, history keys and diagnostics.</param>
    public ModalitySpec(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>Name of the modality.</summary>
    public string Name { get; }

    /// <summary>Encoder architecture. Default <see cref="EncoderKind.Mlp"/>.</summary>
    public EncoderKind Encoder { get; init; } = EncoderKind.Mlp;

    /// <summary>Hidden layer widths of the MLP encoder. Default: one hidden layer of 256.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [256];

    /// <summary>Layout of the flat input vector; required by ResNet-18 and by augmentation, optional for an MLP.</summary>
    public ModalityShape? Shape { get; init; }

    /// <summary>Training-time augmentation of this modality (never at evaluation or in the effective-dimension pass; in
    /// stage 2 only with <see cref="DiMmlOptions.FusionFeatures"/> = <see cref="FusionFeatures.AugmentedBatches"/>).
    /// Default <see cref="Data.Augmentation.None"/>; <see cref="Data.Augmentation.Paper"/> is the authors' recipe for images and frames.</summary>
    public Augmentation Augmentation { get; init; } = Augmentation.None;

    /// <summary>Per-channel standardisation of the input, applied by the ResNet-18 encoder (in training and in the
    /// exported model) after augmentation; null for none (default). <see cref="ChannelNormalization.ImageNet"/> is the
    /// authors' choice for RGB frames in [0, 1]. For an MLP modality, standardise the column in the pipeline instead.</summary>
    public ChannelNormalization? Normalization { get; init; }

    /// <summary>Checks the spec against the data's vector length for this modality.</summary>
    /// <param name="inputSize">Flat input length of the modality in the data.</param>
    public void Validate(int inputSize)
    {
        if (Encoder == EncoderKind.ResNet18 && Shape is null)
        {
            throw new ArgumentException($"Modality '{Name}' uses a ResNet-18 encoder but declares no Shape; set Channels, Frames, Height and Width.");
        }

        if (Augmentation.Enabled && Shape is null)
        {
            throw new ArgumentException($"Modality '{Name}' asks for augmentation but declares no Shape; crops and flips need Height and Width.");
        }

        if (Normalization is not null && Encoder != EncoderKind.ResNet18)
        {
            throw new ArgumentException(
                $"Modality '{Name}' sets Normalization, which the ResNet-18 encoder applies; for an MLP encoder standardise the column in the pipeline (e.g. NormalizeMeanVariance).");
        }

        Augmentation.Validate(Name);
        Shape?.Validate();
        if (Shape is not null)
        {
            Normalization?.Validate(Shape, Name);
        }

        if (Shape is not null && Shape.Size != inputSize)
        {
            throw new ArgumentException(
                $"Modality '{Name}' declares {Shape} = {Shape.Size} values, but its column holds {inputSize}. " +
                "Fix the declared shape, or the resize/extract steps that build the column.");
        }
    }

    /// <summary>Creates this modality's encoder.</summary>
    /// <param name="inputSize">Flat input length of the modality.</param>
    /// <param name="embeddingSize">Feature size D.</param>
    public ModalityEncoder CreateEncoder(int inputSize, int embeddingSize)
    {
        Validate(inputSize);
        return Encoder switch
        {
            EncoderKind.ResNet18 => new ResNet18Encoder(Shape!, embeddingSize, $"encoder_{Name}", Normalization),
            _ => new MlpEncoder(inputSize, HiddenSizes, embeddingSize, $"encoder_{Name}"),
        };
    }
}
