using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>
/// Re-initialises parameters from an explicit generator, so that a seed fixes the weights without
/// touching libtorch's process-wide generator (two trainings on two threads stay independent).
/// </summary>
internal static class ParameterInit
{
    /// <summary>PyTorch's default <c>nn.Linear</c> init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias.</summary>
    public static void Linear(Linear layer, Generator generator)
    {
        using var _ = no_grad();
        var bound = 1.0 / Math.Sqrt(layer.weight!.shape[1]);
        layer.weight.uniform_(-bound, bound, generator);
        layer.bias?.uniform_(-bound, bound, generator);
    }

    /// <summary>Initialises every <see cref="TorchSharp.Modules.Linear"/> inside <paramref name="module"/>, in registration order.</summary>
    public static void AllLinear(nn.Module module, Generator generator)
    {
        foreach (var (_, child) in module.named_modules())
        {
            if (child is Linear linear)
            {
                Linear(linear, generator);
            }
        }
    }
}
