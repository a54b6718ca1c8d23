using static TorchSharp.torch;

namespace DiMml.Torch.Data;

/// <summary>Rows of a batch: the inputs of every modality, the labels and, for weighted data, each row's weight.</summary>
/// <param name="Inputs">Per modality, <c>[b, F_m]</c>.</param>
/// <param name="Labels">Class indices <c>[b]</c> (int64).</param>
/// <param name="Weights">Example weights <c>[b]</c> (float32, all &gt; 0); null when every row weighs 1.</param>
public readonly record struct Batch(Tensor[] Inputs, Tensor Labels, Tensor? Weights)
{
    /// <summary>The inputs and labels, for code that ignores the weights.</summary>
    /// <param name="inputs">Per modality, <c>[b, F_m]</c>.</param>
    /// <param name="labels">Class indices <c>[b]</c>.</param>
    public void Deconstruct(out Tensor[] inputs, out Tensor labels)
    {
        inputs = Inputs;
        labels = Labels;
    }
}
