"""Pure domain code: plain values in, plain values out, standard library only."""
