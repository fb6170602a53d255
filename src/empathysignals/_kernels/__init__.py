"""Private numba kernels: arrays and scalars in, arrays out. Import these modules lazily
(inside functions): importing numba alone costs ~0.5 s."""
