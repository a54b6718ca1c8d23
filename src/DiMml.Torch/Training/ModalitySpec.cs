using DiMml.Torch.Modules;

namespace DiMml.Torch.Training;

/// <summary>One modality of a training run: its name and its encoder's architecture.</summary>
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

    /// <summary>Hidden layer widths of the MLP encoder. Default: one hidden layer of 256.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [256];

    /// <summary>Creates this modality's encoder.</summary>
    /// <param name="inputSize">Flat input length of the modality.</param>
    /// <param name="embeddingSize">Feature size D.</param>
    public ModalityEncoder CreateEncoder(int inputSize, int embeddingSize) =>
        new MlpEncoder(inputSize, HiddenSizes, embeddingSize, $"encoder_{Name}");
}
