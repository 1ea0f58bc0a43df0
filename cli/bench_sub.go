package cli

import ucli "github.com/urfave/cli/v2"

// benchSubcommands lists bench's subcommands: kernels (cli/bench_kernels.go,
// the compute kernels) and train (cli/bench_train.go, whole training epochs).
func benchSubcommands() []*ucli.Command {
	return []*ucli.Command{benchKernelsCommand(), benchTrainCommand(), benchRooflineCommand()}
}
