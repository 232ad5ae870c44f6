#ifndef TYPEFLOW_IO_BUNDLE_PROTO_HPP
#define TYPEFLOW_IO_BUNDLE_PROTO_HPP

// The messages of a V2 checkpoint's `.index` (tensorflow/core/protobuf/tensor_bundle.proto):
// BundleHeaderProto (the value of the key "") and BundleEntryProto (one per tensor), with
// TensorShapeProto. Encoding writes fields in field-number order and omits proto3 defaults,
// as TensorFlow does, so the bytes match TF's; decoding checks what a reader relies on.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "data_type.hpp"
#include "protobuf.hpp"

namespace typeflow::io {

/// kTensorBundleVersion and kTensorBundleMinConsumer/Producer of tensor_bundle.h.
inline constexpr std::int32_t tensor_bundle_version = 1;
inline constexpr std::int32_t tensor_bundle_min_producer = 0;

/// TensorShapeProto: one `dim { size: d }` per dimension (a 0 size is an empty Dim).
inline protobuf::writer encode_tensor_shape(std::span<const std::int64_t> dims) {
  protobuf::writer shape;
  for (std::int64_t d : dims) {
    protobuf::writer dim;
    if (d != 0) dim.int64_field(1, d);
    shape.message_field(2, dim);
  }
  return shape;
}

/// The dims of a TensorShapeProto; an unknown rank or a negative dim is an error (a saved
/// tensor has a full shape).
inline std::vector<std::int64_t> decode_tensor_shape(protobuf::reader r) {
  std::vector<std::int64_t> dims;
  while (r.next()) {
    if (r.field() == 2) {
      protobuf::reader dim = r.read_message("dim");
      std::int64_t size = 0;
      while (dim.next())
        if (dim.field() == 1) size = dim.read_int64();
      if (size < 0)
        throw error(r.what() + ": dimension " + std::to_string(dims.size()) + " is " + std::to_string(size));
      dims.push_back(size);
    } else if (r.field() == 3) {
      if (r.read_bool()) throw error(r.what() + ": a saved tensor cannot have an unknown rank");
    }
  }
  return dims;
}

struct bundle_header {
  std::int32_t num_shards = 1;
  std::int32_t endianness = 0;  // LITTLE
  std::int32_t producer = tensor_bundle_version;
  std::int32_t min_consumer = 0;
  std::vector<std::int32_t> bad_consumers;
};

inline std::string encode(const bundle_header& h) {
  protobuf::writer w;
  if (h.num_shards) w.int32_field(1, h.num_shards);
  if (h.endianness) w.enum_field(2, h.endianness);
  protobuf::writer version;
  if (h.producer) version.int32_field(1, h.producer);
  if (h.min_consumer) version.int32_field(2, h.min_consumer);
  for (std::int32_t b : h.bad_consumers) version.int32_field(3, b);
  w.message_field(3, version);
  return w.release();
}

/// Decodes and checks a header as BundleReader does (CheckVersions with kTensorBundleVersion).
inline bundle_header decode_bundle_header(std::string_view bytes, const std::string& what) {
  bundle_header h;
  h.num_shards = 0;
  h.producer = 0;
  protobuf::reader r(bytes, what + ": BundleHeaderProto");
  while (r.next()) {
    switch (r.field()) {
      case 1: h.num_shards = r.read_int32(); break;
      case 2: h.endianness = r.read_int32(); break;
      case 3: {
        protobuf::reader v = r.read_message("version");
        while (v.next()) {
          if (v.field() == 1) h.producer = v.read_int32();
          else if (v.field() == 2) h.min_consumer = v.read_int32();
          else if (v.field() == 3) v.read_repeated_varint(h.bad_consumers);
        }
        break;
      }
      default: break;
    }
  }
  if (h.num_shards < 1) throw error(what + ": header says " + std::to_string(h.num_shards) + " shards");
  if (h.endianness != 0)
    throw error(what + ": the checkpoint is big-endian; typeflow reads little-endian checkpoints only");
  if (h.producer < tensor_bundle_min_producer)
    throw error(what + ": checkpoint producer version " + std::to_string(h.producer) + " is below the minimum " +
                std::to_string(tensor_bundle_min_producer));
  if (h.min_consumer > tensor_bundle_version)
    throw error(what + ": checkpoint needs a reader of version " + std::to_string(h.min_consumer) + ", this is " +
                std::to_string(tensor_bundle_version));
  for (std::int32_t b : h.bad_consumers)
    if (b == tensor_bundle_version) throw error(what + ": checkpoint disallows reader version 1");
  return h;
}

struct bundle_entry {
  data_type dtype = DT_INVALID;
  std::vector<std::int64_t> shape;
  std::int32_t shard_id = 0;
  std::int64_t offset = 0;
  std::int64_t size = 0;
  std::uint32_t crc32c = 0;  // masked, as stored
  bool sliced = false;       // a partitioned variable: the data lies in per-slice entries
};

inline std::string encode(const bundle_entry& e) {
  protobuf::writer w;
  if (e.dtype) w.enum_field(1, e.dtype);
  w.message_field(2, encode_tensor_shape(e.shape));
  if (e.shard_id) w.int32_field(3, e.shard_id);
  if (e.offset) w.int64_field(4, e.offset);
  if (e.size) w.int64_field(5, e.size);
  if (e.crc32c) w.fixed32_field(6, e.crc32c);
  return w.release();
}

/// Decodes a BundleEntryProto; `what` names the tensor in errors.
inline bundle_entry decode_bundle_entry(std::string_view bytes, const std::string& what) {
  bundle_entry e;
  protobuf::reader r(bytes, what + ": BundleEntryProto");
  while (r.next()) {
    switch (r.field()) {
      case 1: e.dtype = static_cast<data_type>(r.read_int32()); break;
      case 2: e.shape = decode_tensor_shape(r.read_message("shape")); break;
      case 3: e.shard_id = r.read_int32(); break;
      case 4: e.offset = r.read_int64(); break;
      case 5: e.size = r.read_int64(); break;
      case 6: e.crc32c = r.read_fixed32(); break;
      case 7:
        e.sliced = true;
        r.skip();
        break;
      default: break;
    }
  }
  if (e.shard_id < 0 || e.offset < 0 || e.size < 0)
    throw error(what + ": negative shard_id, offset or size (" + std::to_string(e.shard_id) + ", " +
                std::to_string(e.offset) + ", " + std::to_string(e.size) + ")");
  return e;
}

/// The number of elements of `dims`, or an error naming `what` if it overflows int64.
inline std::int64_t num_elements(std::span<const std::int64_t> dims, const std::string& what) {
  std::int64_t n = 1;
  for (std::int64_t d : dims) {
    if (d < 0) throw error(what + ": negative dimension " + std::to_string(d));
    if (d != 0 && n > INT64_MAX / d) throw error(what + ": the shape's element count overflows int64");
    n *= d;
  }
  return n;
}

}  // namespace typeflow::io

#endif
