/* ckpt.c: checkpoint files as HDF5 (see ckpt.h). */
#include "mpi/ckpt.h"
#include "io/flowsrc.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

static hid_t record_type(const c2h_ckpt_field *f)
{
    hid_t t = H5Tcreate(H5T_OPAQUE, g_array_get_element_size(f->arr));
    if (t >= 0 && H5Tset_tag(t, f->tag) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static gboolean save_field(hid_t file, const c2h_ckpt_field *f)
{
    hid_t t = record_type(f);
    hsize_t dims = f->arr->len;
    hid_t sp = H5Screate_simple(1, &dims, NULL);
    hid_t d = t >= 0 && sp >= 0 ? H5Dcreate2(file, f->name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    gboolean ok = d >= 0 && (dims == 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, f->arr->data) >= 0);
    if (d >= 0) ok = H5Dclose(d) >= 0 && ok;
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    return ok;
}

gboolean c2h_ckpt_save(const char *path, const c2h_ckpt_field *f, guint n, GError **err)
{
    /* Built in memory (HDF5's core driver, no backing store), then written by us: a full disk
     * fails a plain write with ENOSPC instead of leaving HDF5 a file it cannot flush, which
     * crashed the ranks at exit. */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t file = fapl >= 0 && H5Pset_fapl_core(fapl, 1 << 20, 0) >= 0
                     ? H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)
                     : -1;
    if (fapl >= 0)
        H5Pclose(fapl);
    if (file < 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot make the checkpoint in memory", path);
        return FALSE;
    }
    const char *bad = NULL;
    for (guint i = 0; i < n && bad == NULL; i++)
        if (!save_field(file, &f[i]))
            bad = f[i].name;
    void *image = NULL;
    ssize_t size = bad == NULL && H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0 ? H5Fget_file_image(file, NULL, 0) : -1;
    if (size > 0) {
        image = g_malloc((gsize)size);
        if (H5Fget_file_image(file, image, (size_t)size) != size)
            size = -1;
    }
    H5Fclose(file);
    if (bad != NULL || size <= 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot build %s of the checkpoint", path, bad ? bad : "the image");
        g_free(image);
        return FALSE;
    }
    /* A temporary file beside path, then a rename: a reader never sees half a checkpoint. */
    GError *e = NULL;
    gboolean ok = g_file_set_contents_full(path, image, size, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &e);
    if (!ok) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot write the checkpoint: %s", path, e->message);
        g_error_free(e);
    }
    g_free(image);
    return ok;
}

static gboolean load_field(hid_t file, const char *path, const c2h_ckpt_field *f, GError **err)
{
    g_array_set_size(f->arr, 0);
    if (H5Lexists(file, f->name, H5P_DEFAULT) <= 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: no dataset %s", path, f->name);
        return FALSE;
    }
    hid_t d = H5Dopen2(file, f->name, H5P_DEFAULT);
    hid_t t = d >= 0 ? H5Dget_type(d) : -1;
    hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
    char *tag = t >= 0 && H5Tget_class(t) == H5T_OPAQUE ? H5Tget_tag(t) : NULL;
    hsize_t dims = 0;
    gboolean ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &dims, NULL) == 1;
    if (!ok || tag == NULL || strcmp(tag, f->tag) != 0 || H5Tget_size(t) != g_array_get_element_size(f->arr)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: dataset %s is not a 1-D array of %s (%u bytes)", path,
                    f->name, f->tag, g_array_get_element_size(f->arr));
        ok = FALSE;
    } else {
        g_array_set_size(f->arr, (guint)dims);
        if (dims > 0 && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, f->arr->data) < 0) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: cannot read dataset %s", path, f->name);
            ok = FALSE;
        }
    }
    if (tag) H5free_memory(tag);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    if (d >= 0) H5Dclose(d);
    return ok;
}

gboolean c2h_ckpt_load(const char *path, const c2h_ckpt_field *f, guint n, GError **err)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: cannot open the checkpoint file", path);
        return FALSE;
    }
    gboolean ok = TRUE;
    for (guint i = 0; i < n && ok; i++)
        ok = load_field(file, path, &f[i], err);
    H5Fclose(file);
    return ok;
}
