#ifndef TYPEFLOW_TESTS_IO_META_GRAPH_DECODE_HPP
#define TYPEFLOW_TESTS_IO_META_GRAPH_DECODE_HPP

// MetaGraphDefs decoded with typeflow's protobuf reader, for tests of what typeflow writes
// (.meta) and of what TensorFlow wrote (the SavedModel fixtures). Field numbers: TF-FORMATS.md 3.3.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <typeflow/io/protobuf.hpp>
#include <vector>

namespace meta_test {

namespace pb = typeflow::io::protobuf;

/// A NodeDef: op, inputs and attrs (name -> serialized AttrValue).
struct node_info {
  std::string op;
  std::vector<std::string> inputs;
  std::map<std::string, std::string> attrs;
};

struct saver_def_info {
  std::string filename_tensor_name, save_tensor_name, restore_op_name;
  std::int32_t max_to_keep = 0;
  bool sharded = false;
  float keep_checkpoint_every_n_hours = 0;
  std::int32_t version = 0;  // LEGACY 0, V1 1, V2 2
};

struct meta_graph_info {
  std::vector<std::string> tags;
  std::map<std::string, node_info> nodes;
  bool has_saver_def = false;
  saver_def_info saver_def;
  std::map<std::string, std::vector<std::string>> collections;  // node_list or bytes_list values
};

struct variable_def_info {
  std::string variable_name, initializer_name, snapshot_name, initial_value_name;
  bool trainable = false;
};

inline node_info decode_node(pb::reader n, std::string& name) {
  node_info info;
  while (n.next()) {
    if (n.field() == 1) name = n.read_string();
    else if (n.field() == 2) info.op = n.read_string();
    else if (n.field() == 3) info.inputs.push_back(n.read_string());
    else if (n.field() == 5) {
      auto entry = n.read_message("attr");
      std::string key, value;
      while (entry.next()) {
        if (entry.field() == 1) key = entry.read_string();
        else value = entry.read_string();
      }
      info.attrs[key] = value;
    }
  }
  return info;
}

inline saver_def_info decode_saver_def(pb::reader s) {
  saver_def_info d;
  while (s.next()) {
    switch (s.field()) {
      case 1: d.filename_tensor_name = s.read_string(); break;
      case 2: d.save_tensor_name = s.read_string(); break;
      case 3: d.restore_op_name = s.read_string(); break;
      case 4: d.max_to_keep = s.read_int32(); break;
      case 5: d.sharded = s.read_bool(); break;
      case 6: d.keep_checkpoint_every_n_hours = s.read_float(); break;
      case 7: d.version = s.read_int32(); break;
    }
  }
  return d;
}

/// A MetaGraphDef (everything is copied out of `bytes`).
inline meta_graph_info decode_meta_graph(std::string_view bytes) {
  meta_graph_info m;
  pb::reader r(bytes, "MetaGraphDef");
  while (r.next()) {
    if (r.field() == 1) {  // meta_info_def
      auto info = r.read_message("meta_info_def");
      while (info.next())
        if (info.field() == 4) m.tags.push_back(info.read_string());
    } else if (r.field() == 2) {
      auto g = r.read_message("graph_def");
      while (g.next()) {
        if (g.field() != 1) continue;
        std::string name;
        node_info n = decode_node(g.read_message("node"), name);
        m.nodes[name] = std::move(n);
      }
    } else if (r.field() == 3) {
      m.has_saver_def = true;
      m.saver_def = decode_saver_def(r.read_message("saver_def"));
    } else if (r.field() == 4) {  // map<string, CollectionDef>
      auto entry = r.read_message("collection_def");
      std::string key;
      std::vector<std::string> values;
      while (entry.next()) {
        if (entry.field() == 1) {
          key = entry.read_string();
        } else if (entry.field() == 2) {
          auto def = entry.read_message("value");
          while (def.next()) {
            if (def.field() != 1 && def.field() != 2) continue;  // node_list, bytes_list
            auto list = def.read_message("list");
            while (list.next()) values.push_back(list.read_string());
          }
        }
      }
      m.collections[key] = std::move(values);
    }
  }
  return m;
}

/// The MetaGraphDefs of a SavedModel (saved_model.pb).
inline std::vector<meta_graph_info> decode_saved_model(std::string_view bytes) {
  std::vector<meta_graph_info> graphs;
  pb::reader r(bytes, "SavedModel");
  while (r.next())
    if (r.field() == 2) graphs.push_back(decode_meta_graph(r.read_bytes()));
  return graphs;
}

/// An item of the `variables` / `trainable_variables` collections.
inline variable_def_info decode_variable_def(std::string_view bytes) {
  variable_def_info v;
  pb::reader r(bytes, "VariableDef");
  while (r.next()) {
    switch (r.field()) {
      case 1: v.variable_name = r.read_string(); break;
      case 2: v.initializer_name = r.read_string(); break;
      case 3: v.snapshot_name = r.read_string(); break;
      case 6: v.initial_value_name = r.read_string(); break;
      case 7: v.trainable = r.read_bool(); break;
    }
  }
  return v;
}

/// The float_val of a Const's `value` AttrValue (a TensorProto): how TF stores one float.
inline std::vector<float> float_vals(std::string_view attr_value) {
  std::vector<float> values;
  pb::reader a(attr_value, "AttrValue");
  while (a.next()) {
    if (a.field() != 8) continue;
    auto t = a.read_message("tensor");
    while (t.next())
      if (t.field() == 5) t.read_repeated_float(values);
  }
  return values;
}

}  // namespace meta_test

#endif
