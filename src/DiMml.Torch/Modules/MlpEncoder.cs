using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>
/// Multilayer perceptron encoder for vector inputs: <c>Linear → ReLU</c> for each hidden size, then
/// <c>Linear → ReLU</c> to the embedding. The output is post-ReLU and not normalised, like the
/// paper's ResNet features, so the effective-dimension and DUC computations see the same kind of features.
/// </summary>
public sealed class MlpEncoder : ModalityEncoder
{
    private readonly Sequential layers;

    /// <summary>Creates the encoder.</summary>
    /// <param name="inputSize">Length of the input vector (must be positive).</param>
    /// <param name="hiddenSizes">Widths of the hidden layers, in order; empty for a single layer.</param>
    /// <param name="embeddingSize">Output feature size D (must be positive).</param>
    /// <param name="name">Module name used in state-dict keys.</param>
    public MlpEncoder(int inputSize, IReadOnlyList<int> hiddenSizes, int embeddingSize, string name = "mlp")
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingSize);
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        if (hiddenSizes.Any(h => h <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(hiddenSizes), "Every hidden size must be positive.");
        }

        InputSize = inputSize;
        EmbeddingSize = embeddingSize;
        HiddenSizes = hiddenSizes.ToArray();
        layers = nn.Sequential();
        var width = inputSize;
        foreach (var (size, index) in HiddenSizes.Append(embeddingSize).Select((s, i) => (s, i)))
        {
            layers.append($"linear{index}", nn.Linear(width, size));
            layers.append($"relu{index}", nn.ReLU());
            width = size;
        }

        RegisterComponents();
    }

    /// <inheritdoc />
    public override int EmbeddingSize { get; }

    /// <inheritdoc />
    public override int InputSize { get; }

    /// <summary>Widths of the hidden layers.</summary>
    public IReadOnlyList<int> HiddenSizes { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => layers.forward(input);

    /// <summary>The linear layers in order; each is followed by a ReLU.</summary>
    internal IEnumerable<Linear> LinearLayers => layers.children().OfType<Linear>();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            layers.Dispose();
        }

        base.Dispose(disposing);
    }
}
