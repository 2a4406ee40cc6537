/* h5zstd.h: the zstd filter for HDF5, registered id 32015 ("zstd").
 *
 * cd_values[0] is the compression level (default 3). Each chunk is one plain zstd
 * frame made by ZSTD_compress2 with the content size in its header and the frame
 * checksum on, so it is what the HDF Group's and hdf5plugin's zstd filters read, and
 * a corrupt chunk fails to decode instead of giving wrong rows.
 *
 * The same source builds the plugin libh5zstd.so (C2H_H5ZSTD_PLUGIN) that h5dump,
 * h5py and HDFView load from HDF5_PLUGIN_PATH. Buffers are malloc/free, as HDF5's own
 * H5MM uses and as the HDF Group's plugins do, so the plugin needs no HDF5 library of its
 * own and loads into a serial or an MPI build of HDF5 alike.
 */
#ifndef C2H_H5ZSTD_H
#define C2H_H5ZSTD_H

#include <hdf5.h>

#define C2H_H5Z_ZSTD 32015

/* The filter class; register it with H5Zregister(&c2h_h5z_zstd_class). */
extern const H5Z_class2_t c2h_h5z_zstd_class;

#endif
